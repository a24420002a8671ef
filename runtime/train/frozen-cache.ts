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
/** The chunk files' stem for a split's cache: `frozen-cache` (training), `frozen-cache-validation`, ... */
const stemOf = (split: string): string => (split === "train" ? "frozen-cache" : `frozen-cache-${split}`);

/** Float32 chunk files `STEM.N.f32` in `dir`, each example at an offset of one chunk. */
class DiskStore implements ActivationStore {
  private readonly where = new Map<number, { chunk: number; offset: number; floats: number }>();
  private readonly pending = new Map<number, Float32Array>();
  private pendingBytes = 0;
  private readonly chunks: string[] = [];
  private readonly open: OpenFile[] = [];

  constructor(
    private readonly dir: string,
    private readonly chunkBytes: number,
    private readonly stem: string,
  ) {
    removeChunks(dir, stem);
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
    const path = join(this.dir, `${this.stem}.${chunk}.f32`);
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

/** Removes the chunk files of `stem` an earlier run left in `dir` (a killed process cannot clean up). */
function removeChunks(dir: string, stem: string): void {
  if (!files().exists(dir)) return;
  const chunk = (name: string): boolean =>
    name.startsWith(`${stem}.`) && /^\d+\.f32$/.test(name.slice(stem.length + 1));
  for (const name of files().list(dir)) if (chunk(name)) files().remove(join(dir, name));
}

/** What the loop needs to run one step (or an evaluation batch) through the split. */
export interface PreparedStep {
  /** The upper part's forward pass on the step's feed (inside the gradient tape when training). */
  readonly forward: (feed: tf.Tensor[]) => tf.Tensor;
  readonly dispose: () => void;
  /** True when the hidden state came from the cache. */
  readonly cached: boolean;
}

/** Where a runner may cache: on or off, the bytes it may hold in memory, the folder of its chunk files. */
export interface CacheOptions {
  readonly enabled: boolean;
  readonly memoryBytes: number;
  readonly dir: string;
  readonly chunkBytes?: number;
  /** Bytes another cache in `dir` will take on that disk (a sibling's, written as it fills). */
  readonly diskTaken?: number;
}

/**
 * Runs training steps or evaluation batches of one split through a split model, caching the prefix's
 * output per example (by its index in the split).
 */
export class FrozenPrefixRunner {
  private readonly store: ActivationStore | null;
  /** Where the cache lives and the bytes it holds when full. */
  readonly placement: CachePlacement;
  readonly bytes: number;
  /** Batches whose hidden state was computed, and read from the cache. */
  readonly steps = { computed: 0, cached: 0 };

  constructor(
    private readonly split: PrefixSplit,
    private readonly model: tf.LayersModel,
    private readonly roles: readonly InputRole[],
    encoded: readonly Encoded[],
    private readonly cache: CacheOptions,
    private readonly log: (record: Record<string, unknown>) => void = () => {},
    /** The split's name: `train` (the steps'), or `validation` and the like (evaluations'). */
    readonly splitName = "train",
  ) {
    this.bytes = encoded.reduce((s, e) => s + e.ids.length, 0) * split.d * 4;
    const free = cache.enabled && this.bytes > cache.memoryBytes ? files().freeBytes(cache.dir) : null;
    const room = free === null || free >= this.bytes + DISK_MARGIN + (cache.diskTaken ?? 0);
    this.placement = !cache.enabled || !room ? "off" : this.bytes <= cache.memoryBytes ? "memory" : "disk";
    this.store =
      this.placement === "memory"
        ? new MemoryStore()
        : this.placement === "disk"
          ? new DiskStore(
              cache.dir,
              cache.chunkBytes ?? Math.min(CHUNK_BYTES, Math.max(1 << 20, cache.memoryBytes)),
              stemOf(splitName),
            )
          : null;
  }

  /**
   * The hidden state entering layer k for `batch` (from the cache, or computed and cached), and the
   * upper part's forward pass, in training mode or (`training` false, an evaluation) in inference mode.
   */
  async prepare(batch: Batch, training = true): Promise<PreparedStep> {
    const store = this.store;
    const cached = store !== null && batch.indices.every((i) => store.has(i));
    const hidden = cached ? this.assemble(batch, store) : await this.compute(batch);
    this.steps[cached ? "cached" : "computed"] += 1;
    return {
      forward: (feed) => this.split.upper(feed, hidden, training),
      dispose: () => hidden.dispose(),
      cached,
    };
  }

  /**
   * A runner of the same prefix for another split (`splitName`, an evaluation's), caching in what this
   * runner leaves of the memory bound (all of it when this one is on disk or off) and of the disk.
   */
  sibling(encoded: readonly Encoded[], splitName: string): FrozenPrefixRunner {
    const taken = (where: CachePlacement): number => (this.placement === where ? this.bytes : 0);
    const memoryBytes = Math.max(0, this.cache.memoryBytes - taken("memory"));
    const cache = { ...this.cache, memoryBytes, diskTaken: taken("disk") };
    const runner = new FrozenPrefixRunner(this.split, this.model, this.roles, encoded, cache, this.log, splitName);
    this.log({ event: "frozen-prefix", split: splitName, cache: runner.placement, bytes: runner.bytes });
    return runner;
  }

  /** Frees the cache, removes its files and logs how many batches it served. */
  close(): void {
    this.store?.close();
    this.log({ event: "frozen-prefix-end", split: this.splitName, ...this.steps });
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
  const record = { layers: frozen.layers, split: "train", cache: runner.placement, bytes: runner.bytes, ...full };
  log({ event: "frozen-prefix", ...record });
  return runner;
}

/**
 * The runner of the split evaluated after each epoch: `train`'s own when that split is the training one,
 * a sibling with a cache of its own for the validation split, none without one.
 */
export function evaluationRunner(
  train: FrozenPrefixRunner,
  evaluated: "train" | "validation",
  validation: readonly Encoded[] | null,
): FrozenPrefixRunner | null {
  if (evaluated === "train") return train;
  return validation === null ? null : train.sibling(validation, "validation");
}
