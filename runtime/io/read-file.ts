/**
 * The one way to read a file that a user or a model named. Before anything is opened: the path is
 * resolved and, when a folder is given, must lie inside that folder; it must be a regular file; and its
 * size must be within the cap of its kind. Reads then stop at that size, so a file that grows while it
 * is read cannot exhaust memory either. Nothing here throws on bad input: callers get a reason to put in
 * their own coded diagnostic. The checks themselves live behind the file-access seam (`Files.check` and
 * `Files.open`: node-read.ts on Node, memory-files.ts in a browser), so this module imports no Node module.
 */
import { files } from "./files.ts";
import {
  errnoReason,
  type CheckedFile,
  type OpenFile,
  type ReadBytes,
  type ReadPolicy,
  type ReadText,
  type Refusal,
} from "./read-policy.ts";

export * from "./read-policy.ts";

/** Checks a file before it is opened: containment, a regular file, within the cap. */
export function checkFile(path: string, policy: ReadPolicy): CheckedFile | Refusal {
  return files().check(path, policy);
}

/** Checks and opens a file for reading: read it with {@link readAt}, close it with {@link closeFile}. */
export function openChecked(path: string, policy: ReadPolicy): OpenFile | Refusal {
  return files().open(path, policy);
}

/** Reads `length` bytes at `position`; fewer when the file ends first. */
export function readAt(file: OpenFile, position: number, length: number): Uint8Array {
  return file.read(position, length);
}

/** Closes a file opened by {@link openChecked}. */
export function closeFile(file: OpenFile): void {
  file.close();
}

/** Reads a whole file under `policy`; never more than its cap. */
export function readBytes(path: string, policy: ReadPolicy): ReadBytes {
  const file = openChecked(path, policy);
  if (!file.ok) return file;
  try {
    return { ok: true, bytes: readAt(file, 0, file.size), path: file.path };
  } catch (e) {
    return { ok: false, reason: errnoReason(e) };
  } finally {
    closeFile(file);
  }
}

/** Reads a UTF-8 text file under `policy`; a leading byte order mark is dropped. */
export function readText(path: string, policy: ReadPolicy): ReadText {
  const read = readBytes(path, policy);
  if (!read.ok) return read;
  const text = new TextDecoder("utf-8").decode(read.bytes);
  return { ok: true, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, path: read.path };
}
