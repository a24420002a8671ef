/**
 * File access for the commands: reading inputs with I/O errors as usage-level failures (exit 2), and
 * atomic writes (a temp file in the same folder, then rename) so nothing is left half-written.
 */
import { resolve } from "node:path";
import { atomicWrite } from "../runtime/io/atomic.ts";
import { policy, readText as readBounded, type FileKind } from "../runtime/io/read-file.ts";
import { UsageError } from "./command.ts";
import type { ModelLoader } from "../compiler/compile.ts";

export { usedArtifactLoader } from "../runtime/artifact/read-used.ts";

/**
 * Reads a spec (or another text file the user named), bounded: a regular file within the cap of its kind
 * (512 KiB for a spec). Throws a UsageError naming the path and the reason.
 */
export function readText(path: string, cwd: string, what = "file", kind: FileKind = "spec"): string {
  const read = readBounded(resolve(cwd, path), policy(kind));
  if (!read.ok) throw new UsageError(`cannot read ${what} \`${path}\`: ${read.reason}`);
  return read.text;
}

/** Writes `text` to `path` atomically. */
export function writeAtomic(path: string, data: string | Uint8Array): void {
  try {
    atomicWrite(path, data);
  } catch (e) {
    throw new UsageError(`cannot write \`${path}\`: ${reason(e)}`);
  }
}

/** A short reason for a file-system error. */
export function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const known: Record<string, string> = {
    ENOENT: "no such file or folder",
    EACCES: "permission denied",
    EISDIR: "it is a folder",
    ENOTDIR: "a part of the path is not a folder",
    ENOSPC: "no space left on the device",
    EROFS: "the file system is read-only",
  };
  return (err.code && known[err.code]) ?? err.message ?? String(e);
}

/**
 * Reads model files for the compiler: relative paths are relative to `baseDir` (the spec's folder); a
 * regular file of at most 256 MiB. The text goes to the manifest reader, which reports malformed JSON
 * itself (ADAPT126).
 */
export function modelFileLoader(baseDir: string): ModelLoader {
  return (path) => {
    const read = readBounded(resolve(baseDir, path), policy("modelJson"));
    return read.ok ? { ok: true, json: read.text } : { ok: false, reason: read.reason };
  };
}
