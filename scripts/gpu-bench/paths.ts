/**
 * The GPU benchmark's paths, arguments and report (pure: scripts/gpu-bench/bench.ts runs the paths).
 * A path is a way `adapt run` can train: wasm, native (libtensorflow on the CPU), webgpu (a hardware
 * adapter) and cuda (libtensorflow on a CUDA GPU). A path that did not run prints "not measured" and
 * why, never a number.
 */

/** Every path, in the report's order: the two CPU baselines first. */
export const PATHS = ["wasm", "native", "webgpu", "cuda"] as const;

/** One path. */
export type PathName = (typeof PATHS)[number];

/** The environment a path's process gets on top of the parent's. */
export const PATH_ENV: Readonly<Record<PathName, Readonly<Record<string, string>>>> = {
  wasm: {},
  // libtensorflow on the CPU even where the CUDA build and a GPU are there
  native: { CUDA_VISIBLE_DEVICES: "-1" },
  webgpu: {},
  cuda: {},
};

/** A path's outcome: its timing, or why it was not measured. */
export type PathResult =
  | {
      readonly path: PathName;
      readonly detail: string;
      readonly steps: number;
      readonly seconds: number;
      readonly stepsPerSecond: number;
      readonly loss: number;
    }
  | { readonly path: PathName; readonly notMeasured: string };

/** The benchmark's options. */
export interface BenchOptions {
  readonly steps: number;
  readonly paths: readonly PathName[];
  /** Seconds one path may take (its process is killed after). */
  readonly timeout: number;
  /** Also write the results here, one JSON line a path. */
  readonly json?: string;
  /** Run this one path in this process and print its JSON line (what each child does). */
  readonly one?: PathName;
  /** Print what would run, run nothing. */
  readonly dryRun: boolean;
}

const USAGE =
  "usage: bench.ts [--steps N] [--paths wasm,native,webgpu,cuda] [--timeout SECONDS] [--json FILE] [--dry-run] | --path P";

function isPath(s: string): s is PathName {
  return (PATHS as readonly string[]).includes(s);
}

function positive(flag: string, v: string | undefined): number | string {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : `${flag} needs a positive whole number, not \`${v ?? ""}\``;
}

/** Reads the arguments; a string is the error (with the usage). */
export function parseBenchArgs(argv: readonly string[]): BenchOptions | string {
  let o: BenchOptions = { steps: 10, paths: PATHS, timeout: 600, dryRun: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const v = argv[i + 1];
    if (flag === "--dry-run") {
      o = { ...o, dryRun: true };
      continue;
    }
    i += 1;
    if (flag === "--steps" || flag === "--timeout") {
      const n = positive(flag, v);
      if (typeof n === "string") return `${n}\n${USAGE}`;
      o = flag === "--steps" ? { ...o, steps: n } : { ...o, timeout: n };
    } else if (flag === "--paths" || flag === "--path") {
      const names = (v ?? "").split(",").filter((s) => s !== "");
      const bad = names.find((s) => !isPath(s));
      if (names.length === 0 || bad !== undefined || (flag === "--path" && names.length !== 1)) {
        return `${flag} takes ${flag === "--path" ? "one" : "some"} of ${PATHS.join(", ")}, not \`${v ?? ""}\`\n${USAGE}`;
      }
      o = flag === "--path" ? { ...o, one: names[0] as PathName } : { ...o, paths: names as PathName[] };
    } else if (flag === "--json" && v !== undefined) {
      o = { ...o, json: v };
    } else {
      return `unknown option ${flag}\n${USAGE}`;
    }
  }
  return o;
}

/** A child's outcome from its exit status and output: its last JSON line, else why it gave none. */
export function parsePathOutput(path: PathName, status: number | null, stdout: string, stderr: string): PathResult {
  const line = stdout
    .trim()
    .split("\n")
    .reverse()
    .find((l) => l.startsWith("{"));
  if (line !== undefined) {
    try {
      const r = JSON.parse(line) as Partial<PathResult> & { notMeasured?: string };
      if (typeof r.notMeasured === "string") return { path, notMeasured: r.notMeasured };
      if ("stepsPerSecond" in r && typeof r.stepsPerSecond === "number" && r.stepsPerSecond > 0) {
        return { ...(r as PathResult), path };
      }
    } catch {
      // not JSON after all: told below
    }
  }
  const last = stderr.trim().split("\n").pop()?.trim() ?? "";
  const how = status === null ? "was killed (timeout?)" : `exited with status ${status}`;
  return { path, notMeasured: `the benchmark process ${how}${last === "" ? "" : `: ${last.slice(0, 200)}`}` };
}

/** "1.23" with three significant digits. */
function fmt(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

/** The report: one line a path, steps/s with ratios to wasm and native when both were measured. */
export function formatReport(results: readonly PathResult[], steps: number): string[] {
  const rate = (p: PathName): number | undefined => {
    const r = results.find((x) => x.path === p);
    return r !== undefined && "stepsPerSecond" in r ? r.stepsPerSecond : undefined;
  };
  const [wasm, native] = [rate("wasm"), rate("native")];
  const ratio = (r: number, base: number | undefined): string => (base === undefined ? "-" : `${fmt(r / base)}x`);
  const lines = [
    `gpu-bench: training steps/s of the MiniLM-sized block (bench/block.ts), adam, ${steps} timed steps a path`,
    `${"path".padEnd(8)}${"steps/s".padStart(10)}${"vs wasm".padStart(10)}${"vs native".padStart(11)}  on`,
  ];
  for (const r of results) {
    if ("notMeasured" in r) {
      lines.push(`${r.path.padEnd(8)}  not measured: ${r.notMeasured}`);
      continue;
    }
    const cells = [fmt(r.stepsPerSecond).padStart(10), ratio(r.stepsPerSecond, wasm).padStart(10)];
    lines.push(`${r.path.padEnd(8)}${cells.join("")}${ratio(r.stepsPerSecond, native).padStart(11)}  ${r.detail}`);
  }
  return lines;
}
