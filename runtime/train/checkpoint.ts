/**
 * Checkpoints: one binary file holding a JSON header (the loop's state and a fingerprint of the run)
 * and float32 arrays (trainable weights, then optimizer slots). Written atomically: a temp file in the
 * same folder, fsync, then rename over the old one, so a kill at any moment leaves a whole checkpoint.
 */
import { files } from "../io/files.ts";
import { readBytes, READ_LIMITS } from "../io/read-file.ts";

const MAGIC = "ADAPTCK1";

/** A checkpoint's contents. */
export interface CheckpointData<S> {
  /** What must match for a resume (trainable weight names and shapes, plan hash). */
  readonly fingerprint: string;
  readonly state: S;
  readonly arrays: readonly Float32Array[];
}

/** Saves a checkpoint to `path` atomically. */
export function saveCheckpoint<S>(path: string, data: CheckpointData<S>): void {
  const header = JSON.stringify({
    fingerprint: data.fingerprint,
    state: data.state,
    lengths: data.arrays.map((a) => a.length),
  });
  const headerBytes = new TextEncoder().encode(header);
  const pad = (4 - ((MAGIC.length + 4 + headerBytes.length) % 4)) % 4;
  const prefix = new Uint8Array(MAGIC.length + 4);
  prefix.set(new TextEncoder().encode(MAGIC));
  new DataView(prefix.buffer).setUint32(MAGIC.length, headerBytes.length + pad, true);
  const chunks: Uint8Array[] = [prefix, headerBytes, new Uint8Array(pad).fill(0x20)];
  for (const a of data.arrays) chunks.push(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  files().writeAtomic(path, chunks);
}

/** Reads a checkpoint; returns a reason instead when it is missing or damaged. */
export function loadCheckpoint<S>(path: string): CheckpointData<S> | { error: string } {
  if (!files().exists(path)) return { error: `there is no checkpoint at ${path}` };
  const read = readBytes(path, { maxBytes: READ_LIMITS.weights });
  if (!read.ok) return { error: `the checkpoint cannot be read: ${read.reason}` };
  const buf = read.bytes;
  const text = (from: number, to: number): string => new TextDecoder().decode(buf.subarray(from, to));
  if (buf.length < MAGIC.length + 4 || text(0, MAGIC.length) !== MAGIC)
    return { error: "the checkpoint file is damaged" };
  const len = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(MAGIC.length, true);
  let header: { fingerprint: string; state: S; lengths: number[] };
  try {
    header = JSON.parse(text(MAGIC.length + 4, MAGIC.length + 4 + len)) as typeof header;
  } catch {
    return { error: "the checkpoint's header is damaged" };
  }
  const lengths: unknown = (header as { lengths?: unknown } | null)?.lengths;
  if (!Array.isArray(lengths) || !lengths.every((n) => Number.isSafeInteger(n) && n >= 0))
    return { error: "the checkpoint's header is damaged" };
  let offset = MAGIC.length + 4 + len;
  const total = header.lengths.reduce((s, n) => s + n * 4, 0);
  if (buf.length !== offset + total) return { error: "the checkpoint file is truncated" };
  const arrays = header.lengths.map((n) => {
    const a = new Float32Array(n);
    new Uint8Array(a.buffer).set(buf.subarray(offset, offset + n * 4));
    offset += n * 4;
    return a;
  });
  return { fingerprint: header.fingerprint, state: header.state, arrays };
}
