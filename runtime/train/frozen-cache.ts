/**
 * The frozen prefix's activations, computed once per example and read back in later epochs. Each
 * example is stored at its own length (`tokens x d` floats); a batch is rebuilt by padding its
 * examples with zeros to the batch's length, exactly as the batch the prefix ran on is zeroed at its
 * padded positions, so the upper part reads the same tensor whether it came from the cache or was
 * computed (the masked positions cannot change the real ones: their attention weight is exactly 0).
 * In memory up to a bound, else in Float32 chunk files in the run folder (read back by position,
 * removed at the end and at the next start).
 */
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { Batch } from "../tokenize/batches.ts";
import type { Encoded } from "../tokenize/tokenizer.ts";
import { files } from "../io/files.ts";
import type { OpenFile } from "../io/read-policy.ts";
import { feedFor, type InputRole } from "./feed.ts";
import { splitAt, type PrefixSplit } from "./frozen-split.ts";

/** The in-memory bound when none is given: 1 GiB. */
export const DEFAULT_FROZEN_CACHE_MEMORY = 1024 * 1024 * 1024;

/** Where cached activations live. */
export type CachePlacement = "memory" | "disk" | "off";

/** Per-example activations by the example's index in the split. */
interface ActivationStore {
  has(example: number): boolean;
  get(example: number): Float32Array;
  put(example: number, rows: Float32Array): void;
  close(): void;
}

class MemoryStore implements ActivationStore {
  private readonly rows = new Map<number, Float32Array>();
  has = (i: number): boolean => this.rows.has(i);
  get = (i: number): Float32Array => this.rows.get(i)!;
  put = (i: number, rows: Float32Array): void => void this.rows.set(i, rows);
  close = (): void => this.rows.clear();
}

/** The largest write buffer of the disk cache (smaller when the memory bound is: at least 1 MiB). */
const CHUNK_BYTES = 64 * 1024 * 1024;
/** Room left on the run folder's disk besides a cache there (checkpoints, the artifact). */
const DISK_MARGIN = 256 * 1024 * 1024;
const CHUNK_NAME = /^frozen-cache\.\d+\.f32$/;

/** Float32 chunk files `frozen-cache.N.f32` in `dir`, each example at an offset of one chunk. */
class DiskStore implements ActivationStore {
  private readonly where = new Map<number, { chunk: number; offset: number; floats: number }>();
  private readonly pending = new Map<number, Float32Array>();
  private pendingBytes = 0;
  private readonly chunks: string[] = [];
  private readonly open: OpenFile[] = [];

  constructor(
    private readonly dir: string,
    private readonly chunkBytes: number,
  ) {
    removeChunks(dir);
  }

  has = (i: number): boolean => this.where.has(i) || this.pending.has(i);

  get(i: number): Float32Array {
    const held = this.pending.get(i);
    if (held !== undefined) return held;
    const at = this.where.get(i)!;
    const bytes = this.open[at.chunk]!.read(at.offset, at.floats * 4);
    const out = new Float32Array(at.floats);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }

  put(i: number, rows: Float32Array): void {
    this.pending.set(i, rows);
    this.pendingBytes += rows.byteLength;
    if (this.pendingBytes >= this.chunkBytes) this.flush();
  }

  private flush(): void {
    const chunk = this.chunks.length;
    const path = join(this.dir, `frozen-cache.${chunk}.f32`);
    const parts: Uint8Array[] = [];
    let offset = 0;
    for (const [i, rows] of this.pending) {
      parts.push(new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength));
      this.where.set(i, { chunk, offset, floats: rows.length });
      offset += rows.byteLength;
    }
    files().writeAtomic(path, parts);
    this.chunks.push(path);
    const opened = files().open(path, { maxBytes: Number.MAX_SAFE_INTEGER });
    if (!opened.ok) throw new Error(`the frozen-prefix cache ${path} cannot be read back: ${opened.reason}`);
    this.open.push(opened);
    this.pending.clear();
    this.pendingBytes = 0;
  }

  close(): void {
    this.open.forEach((f) => f.close());
    this.chunks.forEach((p) => files().remove(p));
    this.pending.clear();
    this.where.clear();
  }
}

/** Removes the cache chunk files an earlier run left in `dir` (a killed process cannot clean up). */
function removeChunks(dir: string): void {
  if (!files().exists(dir)) return;
  for (const name of files().list(dir)) if (CHUNK_NAME.test(name)) files().remove(join(dir, name));
}

/** What the loop needs to run one step through the split. */
export interface PreparedStep {
  /** The upper part's forward pass on the step's feed (called inside the gradient tape). */
  readonly forward: (feed: tf.Tensor[]) => tf.Tensor;
  readonly dispose: () => void;
  /** True when the hidden state came from the cache. */
  readonly cached: boolean;
}

/** Runs training steps through a split model, caching the prefix's output per example. */
export class FrozenPrefixRunner {
  private readonly store: ActivationStore | null;
  /** Where the cache lives and the bytes it holds when full. */
  readonly placement: CachePlacement;
  readonly bytes: number;
  /** Steps whose hidden state was computed, and read from the cache. */
  readonly steps = { computed: 0, cached: 0 };

  constructor(
    private readonly split: PrefixSplit,
    private readonly model: tf.LayersModel,
    private readonly roles: readonly InputRole[],
    encoded: readonly Encoded[],
    cache: {
      readonly enabled: boolean;
      readonly memoryBytes: number;
      readonly dir: string;
      readonly chunkBytes?: number;
    },
    private readonly log: (record: Record<string, unknown>) => void = () => {},
  ) {
    this.bytes = encoded.reduce((s, e) => s + e.ids.length, 0) * split.d * 4;
    const free = cache.enabled && this.bytes > cache.memoryBytes ? files().freeBytes(cache.dir) : null;
    const room = free === null || free >= this.bytes + DISK_MARGIN;
    this.placement = !cache.enabled || !room ? "off" : this.bytes <= cache.memoryBytes ? "memory" : "disk";
    this.store =
      this.placement === "memory"
        ? new MemoryStore()
        : this.placement === "disk"
          ? new DiskStore(cache.dir, cache.chunkBytes ?? Math.min(CHUNK_BYTES, Math.max(1 << 20, cache.memoryBytes)))
          : null;
  }

  /** The hidden state entering layer k for `batch` (from the cache, or computed and cached), and the step's forward. */
  async prepare(batch: Batch): Promise<PreparedStep> {
    const store = this.store;
    const cached = store !== null && batch.indices.every((i) => store.has(i));
    const hidden = cached ? this.assemble(batch, store) : await this.compute(batch);
    this.steps[cached ? "cached" : "computed"] += 1;
    return {
      forward: (feed) => this.split.upper(feed, hidden, true),
      dispose: () => hidden.dispose(),
      cached,
    };
  }

  /** Frees the cache, removes its files and logs how many steps it served. */
  close(): void {
    this.store?.close();
    this.log({ event: "frozen-prefix-end", ...this.steps });
  }

  private assemble(batch: Batch, store: ActivationStore): tf.Tensor {
    const row = batch.length * this.split.d;
    const data = new Float32Array(batch.size * row);
    batch.indices.forEach((ex, r) => data.set(store.get(ex), r * row));
    return tf.tensor3d(data, [batch.size, batch.length, this.split.d]);
  }

  private async compute(batch: Batch): Promise<tf.Tensor> {
    const feed = feedFor(this.model, this.roles, batch);
    const d = this.split.d;
    const hidden = tf.tidy(() => {
      const h = this.split.prefix(feed);
      const keep = tf.tensor2d(batch.mask, [batch.size, batch.length], "int32").cast("bool").expandDims(2);
      return tf.where(tf.tile(keep, [1, 1, d]), h, tf.zerosLike(h));
    });
    tf.dispose(feed);
    const store = this.store;
    if (store === null) return hidden;
    const data = (await hidden.data()) as Float32Array;
    const row = batch.length * d;
    batch.indices.forEach((ex, r) => {
      if (store.has(ex)) return;
      const tokens = batch.mask.subarray(r * batch.length, (r + 1) * batch.length).reduce((s, m) => s + m, 0);
      store.put(ex, data.slice(r * row, r * row + tokens * d));
    });
    return hidden;
  }
}

/** A frozen prefix to run once per example: k from the compiler's `frozenPrefix`, the cache on or off, its memory bound. */
export interface FrozenOptions {
  readonly layers: number;
  readonly cache: boolean;
  /** Bytes held in memory before the cache goes to disk (default 1 GiB). */
  readonly memoryBytes?: number;
}

/**
 * The runner of a frozen prefix for a training split, or null when the model cannot be split there;
 * either way one `frozen-prefix` record goes to the log (the cache's placement and size, or the reason).
 */
export function frozenRunner(
  model: tf.LayersModel,
  roles: readonly InputRole[],
  encoded: readonly Encoded[],
  frozen: FrozenOptions,
  dir: string,
  log: (record: Record<string, unknown>) => void,
): FrozenPrefixRunner | null {
  const cut = splitAt(model, frozen.layers);
  if (cut.split === null) {
    log({ event: "frozen-prefix", layers: frozen.layers, cache: "none", reason: cut.reason });
    return null;
  }
  const memoryBytes = frozen.memoryBytes ?? DEFAULT_FROZEN_CACHE_MEMORY;
  const cache = { enabled: frozen.cache, memoryBytes, dir };
  const runner = new FrozenPrefixRunner(cut.split, model, roles, encoded, cache, log);
  const full = frozen.cache && runner.placement === "off" ? { reason: "the run folder's disk has no room for it" } : {};
  log({ event: "frozen-prefix", layers: frozen.layers, cache: runner.placement, bytes: runner.bytes, ...full });
  return runner;
}
