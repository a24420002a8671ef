/**
 * What a bounded read of a file that a user or a model named may do: the size cap of each kind of file,
 * the policy (cap and containing folder), and the shapes of a check's answer. No imports at all: the
 * node reader (node-read.ts), the in-memory files (memory-files.ts) and every caller share it, in Node and
 * in a browser alike.
 */
const MiB = 1024 * 1024;

/** The size caps, in bytes, of each kind of file adapt reads whole. */
export const READ_LIMITS = {
  /**
   * A `.adapt` or YAML spec: the language server's live-analysis bound too. Parsing holds about 700 bytes
   * per token at its peak, so the worst spec (all one-character tokens) checks in about 0.6 GB and 2.5 s;
   * real specs are a few KiB (2,000 lines: about 60 KiB).
   */
  spec: MiB / 2,
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

/** An open, checked file: `read` bytes at a position, then `close` it. */
export interface OpenFile {
  readonly ok: true;
  readonly path: string;
  readonly size: number;
  /** `length` bytes at `position`; fewer when the file ends first. */
  read(position: number, length: number): Uint8Array;
  /** Closes the file (reads after it throw). */
  close(): void;
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
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === "string" && Object.hasOwn(ERRNO, code)) return ERRNO[code]!;
  return e instanceof Error ? e.message.split("\n")[0]! : String(e);
}

/** Bytes in a short human form: `12 MiB`, `3.5 GiB`, `512 bytes`. */
export function bytesText(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) ((v /= 1024), u++);
  return `${v >= 10 ? Math.round(v) : Math.round(v * 10) / 10} ${units[u]}`;
}

/** A whole file's bytes, or why it was not read. */
export type ReadBytes = { readonly ok: true; readonly bytes: Uint8Array; readonly path: string } | Refusal;

/** A whole text file, or why it was not read. */
export type ReadText = { readonly ok: true; readonly text: string; readonly path: string } | Refusal;

/** The policy of a kind: its cap, optionally confined to `within`. */
export function policy(kind: FileKind, within?: string): ReadPolicy {
  return within === undefined ? { maxBytes: READ_LIMITS[kind] } : { maxBytes: READ_LIMITS[kind], within };
}
