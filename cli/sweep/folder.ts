/**
 * The sweep's folder: `sweep.json` (the manifest, written before anything trains), `results.jsonl`
 * (one line per finished point, append-only), `summary.json` and `table.md`, the lock of the running
 * sweep, and the rules for resuming in a folder an earlier spec made (ADAPT970).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { diag, FILE_START, type Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import type { Span } from "../../grammar/ast.ts";
import type { PointIdentity, ResultLine, SelectRule } from "../../compiler/sweep/summary.ts";
import { atomicWrite } from "../../runtime/io/atomic.ts";
import { reason } from "../files.ts";

/** One point of `sweep.json`. */
export interface ManifestPoint extends PointIdentity {
  /** The compiled plan's hash without paths: a finished point stays valid while it is unchanged. */
  readonly planHash: string;
}

/** `sweep.json`. */
export interface Manifest {
  readonly version: 1;
  readonly spec: string;
  readonly specHash: string;
  /** The spec's text, so that a refusal can name what changed. */
  readonly specText: string;
  readonly baseFingerprint: string;
  readonly select: SelectRule;
  readonly points: ManifestPoint[];
}

/** The files of a sweep folder. */
export function sweepPaths(out: string) {
  return {
    manifest: join(out, "sweep.json"),
    results: join(out, "results.jsonl"),
    summary: join(out, "summary.json"),
    table: join(out, "table.md"),
    lock: join(out, ".sweep.lock"),
    point: (id: string) => join(out, "points", id),
  };
}

/** ADAPT971 when the folder cannot be created or written; `span` is the plan's `output`. */
export function checkWritable(out: string, file: string, span: Span): Diagnostic | null {
  try {
    mkdirSync(join(out, "points"), { recursive: true });
    const probe = join(out, `.adapt-probe-${process.pid}`);
    writeFileSync(probe, "probe");
    rmSync(probe);
    return null;
  } catch (e) {
    return {
      ...diag("ADAPT971", span, `the sweep folder \`${out}\` cannot be written (${reason(e)})`, {
        help: "set `output` in the plan to a writable folder",
      }),
      file,
    };
  }
}

/** Reads `sweep.json`; null when there is none; ADAPT974 when it is damaged. */
export function readSweepManifest(out: string): { manifest: Manifest | null; problem: Diagnostic | null } {
  const path = sweepPaths(out).manifest;
  if (!existsSync(path)) return { manifest: null, problem: null };
  try {
    const m = JSON.parse(readFileSync(path, "utf8")) as Manifest;
    if (m.version !== 1 || !Array.isArray(m.points)) throw new Error("not a version 1 sweep manifest");
    return { manifest: m, problem: null };
  } catch (e) {
    return {
      manifest: null,
      problem: {
        ...diag(
          "ADAPT974",
          FILE_START,
          `the sweep manifest cannot be read: ${e instanceof Error ? e.message : String(e)}`,
          { help: "move the folder away to start the sweep over" },
        ),
        file: path,
      },
    };
  }
}

/** Writes `sweep.json` atomically. */
export function writeManifest(out: string, m: Manifest): void {
  atomicWrite(sweepPaths(out).manifest, `${JSON.stringify(m, null, 1)}\n`);
}

/** The finished points' lines (the first line of each id); ADAPT974 warnings for damaged lines. */
export function readResults(out: string): { results: ResultLine[]; problems: Diagnostic[] } {
  const path = sweepPaths(out).results;
  if (!existsSync(path)) return { results: [], problems: [] };
  const results: ResultLine[] = [];
  const problems: Diagnostic[] = [];
  readFileSync(path, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (line.trim() === "") return;
      try {
        const r = JSON.parse(line) as ResultLine;
        if (typeof r.id !== "string" || typeof r.config !== "string") throw new Error("no point id");
        if (!results.some((x) => x.id === r.id)) results.push(r);
      } catch {
        const span = { start: { line: i + 1, column: 1, offset: 0 }, end: { line: i + 1, column: 1, offset: 0 } };
        problems.push({
          ...diag("ADAPT974", span, `line ${i + 1} of the sweep results is not a result; its point runs again`, {
            severity: "warning",
          }),
          file: path,
        });
      }
    });
  return { results, problems };
}

/** Appends one finished point's line. */
export function appendResult(out: string, r: ResultLine): void {
  appendFileSync(sweepPaths(out).results, `${JSON.stringify(r)}\n`);
}

/** Whether process `pid` is alive. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The lock's contents: the sweep's process and its points' processes. */
export interface Lock {
  readonly pid: number;
  readonly children: number[];
}

/** Takes the folder's lock; ADAPT973 when a live sweep holds it. Returns the previous holder's children. */
export function takeLock(out: string, file: string): { previous: number[]; problem: Diagnostic | null } {
  const path = sweepPaths(out).lock;
  let previous: Lock | null = null;
  try {
    previous = JSON.parse(readFileSync(path, "utf8")) as Lock;
  } catch {
    previous = null;
  }
  if (previous && previous.pid !== process.pid && alive(previous.pid)) {
    return {
      previous: [],
      problem: {
        ...diag("ADAPT973", FILE_START, `another \`adapt sweep\` (process ${previous.pid}) is running in \`${out}\``, {
          help: "wait for it to finish, or stop it (Ctrl-C) and run this again",
        }),
        file,
      },
    };
  }
  writeLock(out, { pid: process.pid, children: [] });
  return { previous: (previous?.children ?? []).filter(alive), problem: null };
}

/** Rewrites the lock (with the running points' processes). */
export function writeLock(out: string, lock: Lock): void {
  atomicWrite(sweepPaths(out).lock, JSON.stringify(lock));
}

/** Releases the lock. */
export function releaseLock(out: string): void {
  rmSync(sweepPaths(out).lock, { force: true });
}
