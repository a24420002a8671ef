/**
 * Runs `adapt` in a child process under bounds, for the hostile-input tests: a V8 heap cap, a watchdog
 * that kills it after a generous hang guard, and its peak resident memory read back at exit. (An
 * address-space limit such as `prlimit --as` cannot be used: WebAssembly reserves more than any useful
 * limit.) The bounds are guards against hangs and unbounded memory, not performance targets.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..", "..");

/** What a bounded run gave. */
export interface BoundedRun {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
  /** Killed by the watchdog. */
  readonly hung: boolean;
  /** Peak resident memory in MiB (0 when the process died before reporting it). */
  readonly peakMiB: number;
}

/** Bounds of a run. */
export interface Bounds {
  readonly heapMiB?: number;
  readonly watchdogMs?: number;
  readonly input?: string;
}

/** Runs `adapt ARGS` in `cwd` as a child process under `bounds`. */
export function runBounded(args: readonly string[], cwd: string, bounds: Bounds = {}): Promise<BoundedRun> {
  const scratch = mkdtempSync(join(tmpdir(), "adapt-rss-"));
  const rssFile = join(scratch, "rss");
  const node = [
    `--max-old-space-size=${bounds.heapMiB ?? 512}`,
    "--import",
    join(ROOT, "cli/__tests__/fixtures/report-rss.mjs"),
    join(ROOT, "bin/adapt.js"),
    ...args,
  ];
  const child = spawn(process.execPath, node, {
    cwd,
    env: { ...process.env, NO_COLOR: "1", ADAPT_TEST_RSS: rssFile, ADAPT_DEBUG: "" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => void (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => void (err += c.toString()));
  child.stdin.end(bounds.input ?? "");
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    child.kill("SIGKILL");
  }, bounds.watchdogMs ?? 60_000);
  return new Promise((resolve) => {
    child.on("close", (code) => {
      clearTimeout(timer);
      let peakMiB = 0;
      try {
        peakMiB = Number(readFileSync(rssFile, "utf8")) / 1024;
      } catch {
        peakMiB = 0;
      }
      rmSync(scratch, { recursive: true, force: true });
      resolve({ code, out, err, hung, peakMiB });
    });
  });
}

/** True when the output shows a JavaScript stack trace or the CLI's internal-error message. */
export function hasTrace(text: string): boolean {
  return /internal error|\n\s+at .+:\d+:\d+\)?/.test(text);
}
