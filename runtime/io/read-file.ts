/**
 * The one way to read a file that a user or a model named. Before anything is opened: the path is
 * resolved (symlinks included) and, when a folder is given, must lie inside that folder; it must be a
 * regular file (never a folder, a device, a FIFO or a socket, which could block or never end); and its
 * size must be within the cap of its kind. Reads then stop at that size, so a file that grows while it
 * is read cannot exhaust memory either. Nothing here throws on bad input: callers get a reason to put in
 * their own coded diagnostic. No tfjs here (the CLI's light commands and the language server use it).
 */
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";

const MiB = 1024 * 1024;

/** The size caps, in bytes, of each kind of file adapt reads whole. */
export const READ_LIMITS = {
  /** A `.adapt` or YAML spec. */
  spec: 16 * MiB,
  /** A tfjs `model.json` (the compiler's JSON limit is 256 Mi characters). */
  modelJson: 256 * MiB,
  /** All weights files of one model together, in addition to the manifest's own declared size. */
  weights: 8 * 1024 * MiB,
  /** `tokenizer.json` and the small JSON files beside it. */
  tokenizer: 128 * MiB,
  /** `adapter.json` (the spec text and the IR). */
  artifactMeta: 64 * MiB,
  /** `adapter.safetensors` (adapter-only weights; a full fine-tune's stays far below). */
  artifactWeights: 4 * 1024 * MiB - 1,
  /** `run.json`, `config.json` and other small descriptions. */
  smallJson: 4 * MiB,
  /** A safetensors header (the format's own limit is 100 MB). */
  safetensorsHeader: 100 * 1000 * 1000,
  /** One line of a data file. */
  dataLine: 4 * MiB,
} as const;

/** A kind of file, named by its cap. */
export type FileKind = keyof typeof READ_LIMITS;

/** Where a file may be and how large it may be. */
export interface ReadPolicy {
  /** The cap in bytes. */
  readonly maxBytes: number;
  /** When set, the file (after resolving symlinks) must lie inside this folder. */
  readonly within?: string;
}

/** A file that may be read: its resolved path and size. */
export interface CheckedFile {
  readonly ok: true;
  readonly path: string;
  readonly size: number;
}

/** Why a file is not read, as a clause for a message ("it is a folder"). */
export interface Refusal {
  readonly ok: false;
  readonly reason: string;
}

const ERRNO: Readonly<Record<string, string>> = {
  ENOENT: "no such file or folder",
  EACCES: "permission denied",
  EISDIR: "it is a folder",
  ENOTDIR: "a part of the path is not a folder",
  ELOOP: "its symbolic links form a loop",
  ENAMETOOLONG: "the path is too long",
  EMFILE: "too many files are open",
};

/** A short reason for a file-system error, own-property lookup only. */
export function errnoReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (typeof code === "string" && Object.hasOwn(ERRNO, code)) return ERRNO[code]!;
  return e instanceof Error ? e.message.split("\n")[0]! : String(e);
}

/** Bytes in a short human form: `12 MiB`, `3.5 GiB`, `512 bytes`. */
export function bytesText(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) (v /= 1024), u++;
  return `${v >= 10 ? Math.round(v) : Math.round(v * 10) / 10} ${units[u]}`;
}

function kindOf(st: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
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
export function checkFile(path: string, policy: ReadPolicy): CheckedFile | Refusal {
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
    if (st.size > policy.maxBytes) return { ok: false, reason: `it is ${bytesText(st.size)}, more than the limit of ${bytesText(policy.maxBytes)}` };
    return { ok: true, path: real, size: st.size };
  } catch (e) {
    return { ok: false, reason: errnoReason(e) };
  }
}

/** An open, checked file: read it with {@link readAt}, close it with {@link closeFile}. */
export interface OpenFile {
  readonly ok: true;
  readonly fd: number;
  readonly path: string;
  readonly size: number;
}

/** Checks and opens a file for reading (non-blocking, so a FIFO swapped in after the check cannot hang). */
export function openChecked(path: string, policy: ReadPolicy): OpenFile | Refusal {
  const checked = checkFile(path, policy);
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
  return { ok: true, fd, path: checked.path, size: st.size };
}

/** Reads `length` bytes at `position`; fewer when the file ends first. */
export function readAt(fd: number, position: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, out, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got === length ? out : out.subarray(0, got);
}

/** Closes a file opened by {@link openChecked}. */
export function closeFile(file: OpenFile): void {
  closeSync(file.fd);
}

/** A whole file's bytes, or why it was not read. */
export type ReadBytes = { readonly ok: true; readonly bytes: Uint8Array; readonly path: string } | Refusal;

/** Reads a whole file under `policy`; never more than its cap. */
export function readBytes(path: string, policy: ReadPolicy): ReadBytes {
  const file = openChecked(path, policy);
  if (!file.ok) return file;
  try {
    const bytes = readAt(file.fd, 0, file.size);
    return { ok: true, bytes, path: file.path };
  } catch (e) {
    return { ok: false, reason: errnoReason(e) };
  } finally {
    closeFile(file);
  }
}

/** A whole text file, or why it was not read. */
export type ReadText = { readonly ok: true; readonly text: string; readonly path: string } | Refusal;

/** Reads a UTF-8 text file under `policy`; a leading byte order mark is dropped. */
export function readText(path: string, policy: ReadPolicy): ReadText {
  const read = readBytes(path, policy);
  if (!read.ok) return read;
  const text = new TextDecoder("utf-8").decode(read.bytes);
  return { ok: true, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, path: read.path };
}

/** The policy of a kind: its cap, optionally confined to `within`. */
export function policy(kind: FileKind, within?: string): ReadPolicy {
  return within === undefined ? { maxBytes: READ_LIMITS[kind] } : { maxBytes: READ_LIMITS[kind], within };
}
