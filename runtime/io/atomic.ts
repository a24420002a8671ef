/**
 * The one atomic file write of the project (no tfjs here, so the CLI's light commands can use it): a temp
 * file beside the target, written and flushed to disk, then renamed over the target. A reader sees the
 * old file or the new one, never half of one; on failure the temp file is removed and the error rethrown.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** The temp files {@link atomicWrite} makes: `.NAME.PID.TIME.tmp`. */
const TEMP_NAME = /^\..+\.(\d+)\.\d+\.tmp$/;

/** Options of {@link atomicWrite}. */
export interface AtomicWriteOptions {
  /** Create the target's folder (and its parents) first. */
  readonly mkdir?: boolean;
}

/** Writes `data` (a string, bytes, or byte chunks in order) to `path` atomically. */
export function atomicWrite(
  path: string,
  data: string | Uint8Array | readonly Uint8Array[],
  opts: AtomicWriteOptions = {},
): void {
  if (opts.mkdir === true) mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    const fd = openSync(tmp, "w");
    try {
      const chunks =
        typeof data === "string" ? [Buffer.from(data, "utf8")] : data instanceof Uint8Array ? [data] : data;
      for (const c of chunks) writeSync(fd, c);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes the temp files that an interrupted {@link atomicWrite} left in `dir` (a process killed between
 * writing and renaming), skipping those of processes still running. Returns the names removed.
 */
export function removeStaleTemps(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (m === null || alive(Number(m[1]))) continue;
    rmSync(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}
