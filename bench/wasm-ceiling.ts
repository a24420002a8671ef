/**
 * bench/wasm-ceiling: how far the wasm backend's matMuls are from what WebAssembly SIMD can do on this
 * machine, and from PyTorch's. Prints, in one run:
 * - the peak of 128-bit SIMD arithmetic: a loop of twelve independent f32x4 multiply-adds held in
 *   registers, on one thread as mul + add and, where the engine has relaxed SIMD, as one fused
 *   multiply-add, then as mul + add on one thread per core at once (the clock drops when all cores work);
 * - XNNPACK's rate (tfjs-backend-wasm's dense matMul, the threads of `ADAPT_WASM_THREADS`, default one per
 *   core) on the bundled example's products of its longest batch (2048 x 384 by 384 x 1536, and so on);
 * - with `--python P`, torch's rate on the same products with `--threads` threads (default 2).
 * Then XNNPACK's share of the all-cores peak, and torch's rate against it. Usage:
 * `npx tsx bench/wasm-ceiling.ts [--python /path/to/venv/bin/python] [--threads 2] [--reps 7]`.
 */
import { execFileSync } from "node:child_process";
import { Worker } from "node:worker_threads";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import v8 from "node:v8";
import * as tf from "@tensorflow/tfjs";
import { seededTensor } from "../runtime/backend/compare.ts";
import { tryWasm } from "../runtime/backend/wasm.ts";
import {
  assemble,
  bump,
  get,
  i32,
  set,
  simd,
  V128,
  V_ADD,
  V_MUL,
  V_ZERO,
  vLoad,
  vStore,
  whileNot,
} from "../runtime/backend/wasm-asm.ts";

const { values } = parseArgs({
  options: {
    python: { type: "string" },
    threads: { type: "string", default: "2" },
    reps: { type: "string", default: "7" },
  },
});
const REPS = Number(values.reps);
/** [M, K, N] of the example's dense products on its longest batch (32 x 64 tokens). */
const SHAPES: [number, number, number][] = [
  [2048, 384, 384],
  [2048, 384, 1536],
  [2048, 1536, 384],
];
const ACCUMULATORS = 12;

/** A register-only loop of `n` rounds over twelve accumulators (fused or mul + add), stored at the end. */
function peakModule(fused: boolean): Uint8Array<ArrayBuffer> {
  const [n, x, acc0] = [0, 1, 2];
  const accs = Array.from({ length: ACCUMULATORS }, (_, i) => acc0 + i);
  const round = accs.flatMap((a) => [
    ...(fused
      ? [...get(x), ...get(x), ...get(a), ...simd(0x105)]
      : [...get(a), ...get(x), ...get(x), ...V_MUL, ...V_ADD]),
    ...set(a),
  ]);
  const code = [
    ...i32(0),
    ...vLoad(0),
    ...set(x),
    ...accs.flatMap((a) => [...V_ZERO, ...set(a)]),
    ...whileNot([...get(n), ...i32(0), 0x4c], [...round, ...bump(n, i32(-1))]),
    ...accs.flatMap((a, i) => [...i32(16 * (i + 1)), ...get(a), ...vStore(0)]),
  ];
  return assemble(false, [{ name: "peak", params: 1, locals: [[1 + ACCUMULATORS, V128]], code }]);
}

const PEAK_ROUNDS = 2e7;

/**
 * A worker's part of `peak`: the loop, run after a start all workers wait for, `reps` times; posts the
 * median milliseconds, or null when the engine cannot compile the module.
 */
const PEAK_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const { bytes, gate, rounds, reps } = workerData;
const g = new Int32Array(gate);
const memory = new WebAssembly.Memory({ initial: 1 });
new Float32Array(memory.buffer).fill(1.0000001);
let run = null;
try {
  run = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports.peak;
  for (let i = 0; i < 3; i++) run(rounds / 10);
} catch {}
Atomics.add(g, 0, 1);
Atomics.wait(g, 1, 0);
const times = [];
for (let i = 0; run !== null && i < reps; i++) {
  const t0 = performance.now();
  run(rounds);
  times.push(performance.now() - t0);
}
parentPort.postMessage(run === null ? null : times.sort((a, b) => a - b)[reps >> 1]);`;

/**
 * GFLOP/s of the peak loop (fused multiply-add or mul + add) run on `threads` worker threads at once,
 * summed; undefined when the engine cannot compile it.
 */
async function peak(threads: number, fused: boolean): Promise<number | undefined> {
  const gate = new SharedArrayBuffer(8);
  const g = new Int32Array(gate);
  const workerData = { bytes: peakModule(fused), gate, rounds: PEAK_ROUNDS, reps: REPS };
  const workers = Array.from({ length: threads }, () => new Worker(PEAK_WORKER, { eval: true, workerData }));
  const times = workers.map((w) => new Promise<number | null>((done) => w.once("message", done)));
  while (Atomics.load(g, 0) < threads) Atomics.wait(g, 0, Atomics.load(g, 0), 10);
  Atomics.store(g, 1, 1);
  Atomics.notify(g, 1);
  const ms = await Promise.all(times);
  await Promise.all(workers.map((w) => w.terminate()));
  if (ms.some((t) => t === null)) return undefined;
  return ms.reduce<number>((sum, t) => sum + (PEAK_ROUNDS * ACCUMULATORS * 8) / t! / 1e6, 0);
}

/** XNNPACK's GFLOP/s on the wasm backend for each shape (median of REPS products after a warm-up). */
async function xnnpack(): Promise<number[]> {
  const up = await tryWasm(false);
  if (!up.ok) throw new Error(`the wasm backend is unavailable: ${up.reason}`);
  console.log(`wasm backend: ${up.detail}`);
  return SHAPES.map(([m, k, n]) => {
    const [a, b] = [seededTensor(1, [m, k]), seededTensor(2, [k, n])];
    const once = () => tf.tidy(() => tf.matMul(a, b)).dataSync();
    once();
    const times = Array.from({ length: REPS }, () => {
      const t0 = performance.now();
      once();
      return performance.now() - t0;
    }).sort((x, y) => x - y);
    tf.dispose([a, b]);
    return (2 * m * k * n) / times[REPS >> 1]! / 1e6;
  });
}

/** torch's GFLOP/s for each shape with `threads` threads, run by `python`. */
function torchRates(python: string, threads: number): number[] {
  const script = `
import json, sys, time, torch
torch.set_num_threads(${threads})
out = []
for m, k, n in ${JSON.stringify(SHAPES)}:
    a, b = torch.randn(m, k), torch.randn(k, n)
    for _ in range(3): a @ b
    ts = []
    for _ in range(${REPS}):
        t0 = time.perf_counter(); a @ b; ts.append(time.perf_counter() - t0)
    out.append(2 * m * k * n / sorted(ts)[len(ts) // 2] / 1e9)
print(json.dumps(out))`;
  return JSON.parse(execFileSync(python, ["-c", script], { encoding: "utf8" }).trim().split("\n").pop()!) as number[];
}

v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
const cores = availableParallelism();
const [plain, fused] = [await peak(1, false), await peak(1, true)];
const together = (await peak(cores, false))!;
console.log(
  `128-bit SIMD peak, one thread: mul + add ${plain?.toFixed(1)} GFLOP/s, fused multiply-add ${fused === undefined ? "unavailable (no relaxed SIMD)" : `${fused.toFixed(1)} GFLOP/s`}; ${cores} threads at once (mul + add): ${together.toFixed(0)} GFLOP/s`,
);
const wasm = await xnnpack();
const torch = values.python === undefined ? undefined : torchRates(values.python, Number(values.threads));
console.log(
  `| product | XNNPACK (wasm) | share of the ${cores}-core peak |${torch ? ` torch, ${values.threads} threads | torch / XNNPACK | torch / wasm peak |` : ""}`,
);
console.log(`|---|---|---|${torch ? "---|---|---|" : ""}`);
SHAPES.forEach(([m, k, n], i) => {
  const w = wasm[i]!;
  const t = torch?.[i];
  const cells = [`${m}x${k} · ${k}x${n}`, `${w.toFixed(1)} GFLOP/s`, `${((100 * w) / together).toFixed(0)}%`];
  if (t !== undefined) cells.push(`${t.toFixed(1)} GFLOP/s`, `${(t / w).toFixed(2)}x`, `${(t / together).toFixed(2)}x`);
  console.log(`| ${cells.join(" | ")} |`);
});
process.exit(0);
