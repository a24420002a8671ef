/**
 * Checkpoints: one binary file holding a JSON header (the loop's state and a fingerprint of the run)
 * and float32 arrays (trainable weights, then optimizer slots). Written atomically: a temp file in the
 * same folder, fsync, then rename over the old one, so a kill at any moment leaves a whole checkpoint.
 */
import { existsSync, readFileSync } from "node:fs";
import { atomicWrite } from "../io/atomic.ts";

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
  const headerBytes = Buffer.from(header, "utf8");
  const pad = (4 - ((MAGIC.length + 4 + headerBytes.length) % 4)) % 4;
  const prefix = Buffer.alloc(MAGIC.length + 4);
  prefix.write(MAGIC, 0, "ascii");
  prefix.writeUInt32LE(headerBytes.length + pad, MAGIC.length);
  const chunks: Uint8Array[] = [prefix, headerBytes, Buffer.alloc(pad, 0x20)];
  for (const a of data.arrays) chunks.push(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  atomicWrite(path, chunks);
}

/** Reads a checkpoint; returns a reason instead when it is missing or damaged. */
export function loadCheckpoint<S>(path: string): CheckpointData<S> | { error: string } {
  if (!existsSync(path)) return { error: `there is no checkpoint at ${path}` };
  const buf = readFileSync(path);
  if (buf.length < MAGIC.length + 4 || buf.toString("ascii", 0, MAGIC.length) !== MAGIC)
    return { error: "the checkpoint file is damaged" };
  const len = buf.readUInt32LE(MAGIC.length);
  let header: { fingerprint: string; state: S; lengths: number[] };
  try {
    header = JSON.parse(buf.toString("utf8", MAGIC.length + 4, MAGIC.length + 4 + len)) as typeof header;
  } catch {
    return { error: "the checkpoint's header is damaged" };
  }
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
