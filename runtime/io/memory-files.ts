/**
 * The runtime's file access in memory (see files.ts): the playground's worker puts the model folder, the
 * tokenizer and the data files it fetched or the user picked here, and the training session writes its
 * log, checkpoints and artifact here for the page to offer as downloads. Errors read like Node's, so a
 * diagnostic about a missing file says the same in the page as on the command line.
 */
import { chunksOf, FileError, type Files } from "./files.ts";
import { bytesText, type CheckedFile, type OpenFile, type ReadPolicy, type Refusal } from "./read-policy.ts";

/** `path` with `.`/`..` resolved and no trailing slash (always absolute). */
export function normalPath(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return `/${out.join("/")}`;
}

const missing = (path: string, op: string): FileError =>
  new FileError(`ENOENT: no such file or directory, ${op} '${path}'`, "ENOENT");

/** `Files` held in a map from absolute path to bytes; folders exist implicitly or by `makeFolder`. */
export class MemoryFiles implements Files {
  private readonly data = new Map<string, Uint8Array>();
  private readonly folders = new Set<string>(["/"]);

  /** Puts a file in place (its folders are created). */
  put(path: string, bytes: Uint8Array | string): void {
    const p = normalPath(path);
    this.makeFolder(p.slice(0, p.lastIndexOf("/")) || "/");
    this.data.set(p, typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes);
  }

  /** Every file path under `dir`, sorted. */
  filesUnder(dir: string): string[] {
    const d = normalPath(dir);
    const prefix = d === "/" ? "/" : `${d}/`;
    return [...this.data.keys()].filter((p) => p.startsWith(prefix)).sort();
  }

  /** Removes every file and folder under `dir` (and `dir`). */
  clear(dir: string): void {
    const d = normalPath(dir);
    for (const p of this.filesUnder(d)) this.data.delete(p);
    for (const f of [...this.folders]) if (f === d || f.startsWith(`${d}/`)) this.folders.delete(f);
    this.folders.add("/");
  }

  readBytes(path: string, limit?: number): Uint8Array {
    const p = normalPath(path);
    const b = this.data.get(p);
    if (b === undefined) {
      if (this.folders.has(p)) throw new FileError(`EISDIR: illegal operation on a directory, read`, "EISDIR");
      throw missing(path, "open");
    }
    if (limit !== undefined && b.byteLength > limit)
      throw new FileError(`the file is ${b.byteLength} bytes, more than the ${limit} allowed`, "EFBIG");
    return b;
  }

  readText(path: string, limit?: number): string {
    return new TextDecoder().decode(this.readBytes(path, limit));
  }

  async *chunks(path: string): AsyncIterable<string> {
    const bytes = this.readBytes(path);
    const decoder = new TextDecoder();
    for (let at = 0; at < bytes.byteLength; at += 1 << 16) {
      const text = decoder.decode(bytes.subarray(at, at + (1 << 16)), { stream: true });
      if (text !== "") yield text;
    }
    const rest = decoder.decode();
    if (rest !== "") yield rest;
  }

  check(path: string, policy: ReadPolicy): CheckedFile | Refusal {
    const p =
      policy.within === undefined || path.startsWith("/") ? normalPath(path) : normalPath(`${policy.within}/${path}`);
    if (policy.within !== undefined) {
      const root = normalPath(policy.within);
      if (!this.folders.has(root)) return { ok: false, reason: "its folder cannot be read: no such file or folder" };
      if (p !== root && !p.startsWith(root === "/" ? "/" : `${root}/`))
        return { ok: false, reason: `it lies outside the folder \`${policy.within}\`` };
    }
    const b = this.data.get(p);
    if (b === undefined)
      return { ok: false, reason: this.folders.has(p) ? "it is a folder" : "no such file or folder" };
    if (b.byteLength > policy.maxBytes)
      return {
        ok: false,
        reason: `it is ${bytesText(b.byteLength)}, more than the limit of ${bytesText(policy.maxBytes)}`,
      };
    return { ok: true, path: p, size: b.byteLength };
  }

  open(path: string, policy: ReadPolicy): OpenFile | Refusal {
    const checked = this.check(path, policy);
    if (!checked.ok) return checked;
    const bytes = this.data.get(checked.path)!;
    let open = true;
    const read = (position: number, length: number): Uint8Array => {
      if (!open) throw new FileError("EBADF: bad file descriptor, read", "EBADF");
      return bytes.subarray(Math.min(position, checked.size), Math.min(position + length, checked.size));
    };
    return { ...checked, read, close: () => void (open = false) };
  }

  exists(path: string): boolean {
    const p = normalPath(path);
    return this.data.has(p) || this.folders.has(p);
  }

  readable(path: string): boolean {
    return this.data.has(normalPath(path));
  }

  list(dir: string): string[] {
    const d = normalPath(dir);
    if (!this.folders.has(d)) throw missing(dir, "scandir");
    const prefix = d === "/" ? "/" : `${d}/`;
    const names = new Set<string>();
    for (const p of [...this.data.keys(), ...this.folders]) {
      if (p.startsWith(prefix) && p !== d) names.add(p.slice(prefix.length).split("/")[0]!);
    }
    return [...names].sort();
  }

  makeFolder(dir: string): void {
    let p = normalPath(dir);
    while (p !== "/") {
      this.folders.add(p);
      p = p.slice(0, p.lastIndexOf("/")) || "/";
    }
  }

  writeAtomic(path: string, data: string | Uint8Array | readonly Uint8Array[]): void {
    const chunks = chunksOf(data);
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    this.put(path, out);
  }

  append(path: string, text: string): void {
    const p = normalPath(path);
    const old = this.data.get(p) ?? new Uint8Array(0);
    this.writeAtomic(p, [old, new TextEncoder().encode(text)]);
  }

  remove(path: string): void {
    this.data.delete(normalPath(path));
  }

  removeStaleTemps(): string[] {
    return [];
  }

  freeBytes(): number | null {
    return null;
  }
}

/** The platform's file access in a browser (the `#platform-files` import's browser target): empty, in memory. */
export function platformFiles(): Files {
  return new MemoryFiles();
}
