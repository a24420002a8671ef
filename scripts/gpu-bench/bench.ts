/**
 * The GPU benchmark: training steps/s of the MiniLM-sized block on every path `adapt run` can take
 * (scripts/gpu-bench/paths.ts), each in a process of its own (a libtensorflow binding loads once per
 * process), side by side in one run, with ratios against wasm and native. A path that cannot run here
 * prints "not measured" and why. scripts/gpu-bench/run.sh is the one command around it.
 *
 * Usage: node --import tsx scripts/gpu-bench/bench.ts [--steps N] [--paths LIST] [--timeout S] [--json FILE] [--dry-run]
 *        node --import tsx scripts/gpu-bench/bench.ts --path P [--steps N]   # one path, one JSON line
 */
import "../../bench/relaxed-simd.ts";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { timeBlockSteps } from "../../bench/block-steps.ts";
import { takeDeviceError } from "../../runtime/backend/device.ts";
import { selectBackend } from "../../runtime/backend/select.ts";
import { tryWebgpu } from "../../runtime/backend/webgpu.ts";
import { PATH_ENV, formatReport, parseBenchArgs, parsePathOutput, type PathName, type PathResult } from "./paths.ts";

const CUDA_DETAIL = "libtensorflow with CUDA";

/** Brings up `path`'s backend; its detail, or why it is not there. */
async function bringUp(path: PathName): Promise<{ detail: string } | { notMeasured: string }> {
  if (path === "webgpu") {
    const a = await tryWebgpu(false);
    return a.ok ? { detail: a.detail } : { notMeasured: `${a.code}: ${a.reason}` };
  }
  const r = await selectBackend(path === "wasm" ? "wasm" : "tensorflow");
  if (r.value === undefined) {
    const d = r.diagnostics[0];
    // for cuda, the CUDA build's own reason (the first note), not the CPU build's that came last
    const why = path === "cuda" ? (d?.notes?.[0] ?? d?.message) : d?.message;
    return { notMeasured: d === undefined ? "no backend" : `${d.code}: ${why}` };
  }
  const onCuda = r.value.detail.startsWith(CUDA_DETAIL);
  if (path === "cuda" && !onCuda) return { notMeasured: r.value.reasons[0] ?? `took ${r.value.detail}` };
  if (path === "native" && onCuda) return { notMeasured: `libtensorflow took the GPU (${r.value.detail})` };
  return { detail: r.value.detail };
}

/** Runs one path in this process and returns its result (never throws). */
async function runOne(path: PathName, steps: number): Promise<PathResult> {
  try {
    const up = await bringUp(path);
    if ("notMeasured" in up) return { path, notMeasured: up.notMeasured };
    const t = await timeBlockSteps(steps);
    const deviceError = takeDeviceError();
    if (deviceError !== undefined) return { path, notMeasured: `the GPU device reported: ${deviceError}` };
    if (!Number.isFinite(t.loss)) return { path, notMeasured: `the loss is ${t.loss}: the numbers are wrong` };
    return { path, detail: up.detail, ...t };
  } catch (e) {
    return { path, notMeasured: `failed: ${(e as Error).message.split("\n")[0]}` };
  }
}

/** The command that runs `path` in a child process: this file, under the same Node and loader. */
function childArgs(path: PathName, steps: number): string[] {
  return [...process.execArgv, process.argv[1]!, "--path", path, "--steps", String(steps)];
}

async function main(): Promise<number> {
  const o = parseBenchArgs(process.argv.slice(2));
  if (typeof o === "string") {
    console.error(`gpu-bench: ${o}`);
    return 2;
  }
  if (o.one !== undefined) {
    console.log(JSON.stringify(await runOne(o.one, o.steps)));
    return 0;
  }
  const results: PathResult[] = [];
  for (const path of o.paths) {
    const env = Object.entries(PATH_ENV[path]).map(([k, v]) => `${k}=${v} `);
    if (o.dryRun) {
      console.log(`${path}: ${env.join("")}${[process.execPath, ...childArgs(path, o.steps)].join(" ")}`);
      continue;
    }
    console.error(`gpu-bench: ${path} (${o.steps} steps, at most ${o.timeout} s)`);
    const r = spawnSync(process.execPath, childArgs(path, o.steps), {
      encoding: "utf8",
      env: { ...process.env, ...PATH_ENV[path] },
      timeout: o.timeout * 1000,
      maxBuffer: 64 * 2 ** 20,
    });
    results.push(parsePathOutput(path, r.status, r.stdout ?? "", r.stderr ?? ""));
  }
  if (o.dryRun) return 0;
  for (const line of formatReport(results, o.steps)) console.log(line);
  if (o.json !== undefined) writeFileSync(o.json, results.map((r) => JSON.stringify(r)).join("\n") + "\n");
  return 0;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  process.exitCode = await main();
}
