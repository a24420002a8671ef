/**
 * The runtime's one file-access seam: every read and write of model files, weights, tokenizers, data,
 * checkpoints, logs and artifacts goes through the `Files` in use. Node gets `NodeFiles` (node-files.ts),
 * a browser `MemoryFiles` (memory-files.ts, filled from fetched or picked files); `useFiles` swaps it
 * (the playground's worker, tests). Limits and containment checks belong behind this interface, so every
 * reader gets them at once. No Node module is imported here: the runtime's training session runs in a
 * browser on top of it.
 */
import { platformFiles } from "#platform-files";
import type { CheckedFile, OpenFile, ReadPolicy, Refusal } from "./read-policy.ts";

/** A file could not be read or written; `code` is an errno-style tag (ENOENT, EFBIG, ...). */
export class FileError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** The file operations the runtime uses. Paths are as the caller resolved them; errors throw `FileError` or an errno error. */
export interface Files {
  /** The bytes of a file; throws EFBIG when it is larger than `limit` bytes. */
  readBytes(path: string, limit?: number): Uint8Array;
  /** A UTF-8 text file; throws EFBIG when it is larger than `limit` bytes. */
  readText(path: string, limit?: number): string;
  /** A UTF-8 text file in chunks (of at most 64 KiB), read as they are consumed. */
  chunks(path: string): AsyncIterable<string>;
  /** Checks a file a user or model named before it is read: containment in `policy.within`, a regular file, the size cap. */
  check(path: string, policy: ReadPolicy): CheckedFile | Refusal;
  /** Checks and opens such a file for reads at positions (never past the checked size). */
  open(path: string, policy: ReadPolicy): OpenFile | Refusal;
  /** Whether a file or folder exists at `path`. */
  exists(path: string): boolean;
  /** Whether `path` is a readable file. */
  readable(path: string): boolean;
  /** The names of the entries of a folder, sorted. */
  list(dir: string): string[];
  /** Creates a folder and its parents (no error when it exists). */
  makeFolder(dir: string): void;
  /** Writes a whole file so that readers see the old contents or the new, never half (folders created). */
  writeAtomic(path: string, data: string | Uint8Array | readonly Uint8Array[]): void;
  /** Appends text to a file, creating it. */
  append(path: string, text: string): void;
  /** Removes a file (no error when it is missing). */
  remove(path: string): void;
  /** Removes the temp files that interrupted atomic writes left in `dir` (of processes no longer running); returns their names. */
  removeStaleTemps(dir: string): string[];
  /** The free bytes of the disk holding `dir`, or null when that cannot be known. */
  freeBytes(dir: string): number | null;
}

let current: Files | null = null;

/** The file access in use: the one given to `useFiles`, else the platform's. */
export function files(): Files {
  return (current ??= platformFiles());
}

/** Makes `f` the file access of the runtime; returns the one it replaces. */
export function useFiles(f: Files): Files {
  const before = files();
  current = f;
  return before;
}

/** The bytes of `data` as the chunks a write takes (strings UTF-8 encoded). */
export function chunksOf(data: string | Uint8Array | readonly Uint8Array[]): readonly Uint8Array[] {
  if (typeof data === "string") return [new TextEncoder().encode(data)];
  return data instanceof Uint8Array ? [data] : data;
}

/** Writes `data` to `path` atomically through the current {@link Files} (atomic.ts in Node), creating its folder first. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  files().writeAtomic(path, data);
}
