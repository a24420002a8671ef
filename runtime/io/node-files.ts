/** The runtime's file access on Node's file system (see files.ts); writes go through atomic.ts. */
import {
  appendFileSync,
  createReadStream,
  existsSync,
  accessSync,
  constants,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  statfsSync,
} from "node:fs";
import { dirname } from "node:path";
import { atomicWrite, removeStaleTemps } from "./atomic.ts";
import { nodeCheck, nodeOpen } from "./node-read.ts";
import type { CheckedFile, OpenFile, ReadPolicy, Refusal } from "./read-policy.ts";
import { FileError, type Files } from "./files.ts";

function checkSize(path: string, limit: number | undefined): void {
  if (limit === undefined) return;
  const size = statSync(path).size;
  if (size > limit) throw new FileError(`the file is ${size} bytes, more than the ${limit} allowed`, "EFBIG");
}

/** `Files` on the local file system. */
export class NodeFiles implements Files {
  readBytes(path: string, limit?: number): Uint8Array {
    checkSize(path, limit);
    const b = readFileSync(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }

  readText(path: string, limit?: number): string {
    checkSize(path, limit);
    return readFileSync(path, "utf8");
  }

  async *chunks(path: string): AsyncIterable<string> {
    yield* createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 16 }) as AsyncIterable<string>;
  }

  check(path: string, policy: ReadPolicy): CheckedFile | Refusal {
    return nodeCheck(path, policy);
  }

  open(path: string, policy: ReadPolicy): OpenFile | Refusal {
    return nodeOpen(path, policy);
  }

  exists(path: string): boolean {
    return existsSync(path);
  }

  readable(path: string): boolean {
    try {
      accessSync(path, constants.R_OK);
      return statSync(path).isFile();
    } catch {
      return false;
    }
  }

  list(dir: string): string[] {
    return readdirSync(dir).sort();
  }

  makeFolder(dir: string): void {
    mkdirSync(dir, { recursive: true });
  }

  writeAtomic(path: string, data: string | Uint8Array | readonly Uint8Array[]): void {
    mkdirSync(dirname(path), { recursive: true });
    atomicWrite(path, data);
  }

  append(path: string, text: string): void {
    appendFileSync(path, text);
  }

  remove(path: string): void {
    rmSync(path, { force: true });
  }

  removeStaleTemps(dir: string): string[] {
    return removeStaleTemps(dir);
  }

  freeBytes(dir: string): number | null {
    try {
      const fs = statfsSync(dir);
      return fs.bavail * fs.bsize;
    } catch {
      return null;
    }
  }
}

/** The platform's file access under Node (the `#platform-files` import's node target). */
export function platformFiles(): Files {
  return new NodeFiles();
}
