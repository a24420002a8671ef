/**
 * The bounded, contained reader on Node's file system (used by node-files.ts): the path is resolved
 * (symlinks included) and, when a folder is given, must lie inside it; it must be a regular file (never a
 * folder, a device, a FIFO or a socket, which could block or never end); its size must be within the cap;
 * it is opened non-blocking and reads stop at the checked size. Nothing here throws on bad input.
 */
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import {
  bytesText,
  errnoReason,
  type CheckedFile,
  type OpenFile,
  type ReadPolicy,
  type Refusal,
} from "./read-policy.ts";

function kindOf(st: {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
}): string {
  if (st.isDirectory()) return "it is a folder";
  if (st.isFIFO()) return "it is a named pipe, not a regular file";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "it is a device, not a regular file";
  if (st.isSocket()) return "it is a socket, not a regular file";
  return "it is not a regular file";
}

/** True when `path` is `root` or lies below it. */
function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/**
 * Checks a file before it is opened: containment (after resolving symlinks), a regular file, within
 * the cap. `path` may be relative to `within` (or to the working folder when no folder is given).
 */
export function nodeCheck(path: string, policy: ReadPolicy): CheckedFile | Refusal {
  const full = policy.within === undefined ? resolve(path) : resolve(policy.within, path);
  let real: string;
  try {
    real = realpathSync(full);
  } catch (e) {
    return { ok: false, reason: errnoReason(e) };
  }
  if (policy.within !== undefined) {
    let root: string;
    try {
      root = realpathSync(policy.within);
    } catch (e) {
      return { ok: false, reason: `its folder cannot be read: ${errnoReason(e)}` };
    }
    if (!inside(root, real)) return { ok: false, reason: `it lies outside the folder \`${policy.within}\`` };
  }
  try {
    const st = statSync(real);
    if (!st.isFile()) return { ok: false, reason: kindOf(st) };
    if (st.size > policy.maxBytes)
      return { ok: false, reason: `it is ${bytesText(st.size)}, more than the limit of ${bytesText(policy.maxBytes)}` };
    return { ok: true, path: real, size: st.size };
  } catch (e) {
    return { ok: false, reason: errnoReason(e) };
  }
}

/** Reads `length` bytes at `position` of an open descriptor; fewer when the file ends first. */
function readFd(fd: number, position: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, out, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got === length ? out : out.subarray(0, got);
}

/** Checks and opens a file for reading (non-blocking, so a FIFO swapped in after the check cannot hang). */
export function nodeOpen(path: string, policy: ReadPolicy): OpenFile | Refusal {
  const checked = nodeCheck(path, policy);
  if (!checked.ok) return checked;
  let fd: number;
  try {
    fd = openSync(checked.path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return { ok: false, reason: errnoReason(e) };
  }
  const st = fstatSync(fd);
  if (!st.isFile() || st.size > policy.maxBytes) {
    closeSync(fd);
    return { ok: false, reason: st.isFile() ? `it grew past the limit of ${bytesText(policy.maxBytes)}` : kindOf(st) };
  }
  return {
    ok: true,
    path: checked.path,
    size: st.size,
    read: (position, length) => readFd(fd, position, length),
    close: () => closeSync(fd),
  };
}
