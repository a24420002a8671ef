/**
 * bench/profile-step: where one training step of the bundled example goes, kernel by kernel (tfjs's
 * profiler), on a backend: total ms per kernel name, its count and share, for a batch of the longest
 * examples (32 x 64 tokens by default; `--pick median` or `shortest` takes the batch of those ranks); matMuls whose two operands are both batched (attention's, which
 * tfjs-backend-wasm runs in a scalar loop and runtime/backend/batched-matmul.ts on its own SIMD kernel) are
 * counted apart. Composite entries (a custom gradient's scope, a fused op's wrapper: names that are no
 * registered kernel of the backend) hold kernels that are counted themselves, so they are listed apart
 * and left out of the total. `--clock cpu` times each kernel by the process's CPU time (all its threads)
 * instead of the wall clock, which holds up on a machine shared with other jobs; `--clock wall` is tfjs's.
 * `--shapes` keys the table by kernel name and input shapes instead.
 * Usage: `npx tsx bench/profile-step.ts [--backend wasm] [--top 20] [--clock wall|cpu] [--pick longest] [--shapes]`.
 */
import "./relaxed-simd.ts";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { trainStep } from "../runtime/train/step.ts";
import { exampleStep } from "./example-step.ts";

const { values } = parseArgs({
  options: {
    backend: { type: "string", default: "wasm" },
    top: { type: "string", default: "20" },
    clock: { type: "string", default: "wall" },
    pick: { type: "string", default: "longest" },
    shapes: { type: "boolean", default: false },
    spec: { type: "string" },
  },
});
const step = await exampleStep(values.backend!, values.spec === undefined ? undefined : resolve(values.spec));
const { ctx } = step;
const batch = step.batch(values.pick!);
await trainStep(ctx, batch, 1e-4, 0);
const plain0 = performance.now();
const plainCpu0 = process.cpuUsage();
await trainStep(ctx, batch, 1e-4, 1);
const plainCpu = process.cpuUsage(plainCpu0);
console.log(
  `one step unprofiled: ${(performance.now() - plain0).toFixed(0)} ms wall, ${((plainCpu.user + plainCpu.system) / 1000).toFixed(0)} ms CPU`,
);
if (values.clock === "cpu") {
  const cpuMs = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  (tf.backend() as unknown as { time(f: () => void): Promise<{ kernelMs: number }> }).time = async (f) => {
    const start = cpuMs();
    f();
    return { kernelMs: cpuMs() - start };
  };
}
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const info = await tf.profile(async () => {
  await trainStep(ctx, batch, 1e-4, 1);
  return [];
});
const wall = performance.now() - t0;
const cpuAll = process.cpuUsage(cpu0);
const by = new Map<string, { ms: number; n: number }>();
/** The kernel's name; a matMul whose operands both have a batch (attention) is told apart from the rest. */
function kernelKey(k: { name: string; inputShapes: number[][] }): string {
  if (values.shapes) return `${k.name} ${k.inputShapes.map((s) => `[${(s ?? []).join(",")}]`).join(" ")}`;
  if (k.name !== "BatchMatMul" && k.name !== "_FusedMatMul") return k.name;
  const batched = k.inputShapes.slice(0, 2).every((s) => s.slice(0, -2).reduce((a, b) => a * b, 1) > 1);
  return batched ? `${k.name} (batched)` : k.name;
}
const composite = new Map<string, { ms: number; n: number }>();
const backendName = tf.getBackend();
for (const k of info.kernels) {
  const key = kernelKey(k as unknown as { name: string; inputShapes: number[][] });
  const table = tf.getKernel(k.name, backendName) === undefined ? composite : by;
  const e = table.get(key) ?? { ms: 0, n: 0 };
  e.ms += typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
  e.n += 1;
  table.set(key, e);
}
const total = [...by.values()].reduce((s, e) => s + e.ms, 0);
console.log(
  `backend ${step.backend}; batch ${batch.size} x ${batch.length}; ${info.kernels.length} kernels, ${total.toFixed(0)} ms in kernels (${values.clock} clock), ${wall.toFixed(0)} ms wall and ${((cpuAll.user + cpuAll.system) / 1000).toFixed(0)} ms CPU (profiled)`,
);
for (const [name, e] of [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(values.top))) {
  console.log(
    `${name.padEnd(values.shapes ? 56 : 24)} ${e.ms.toFixed(1).padStart(9)} ms ${String(e.n).padStart(6)} x ${((100 * e.ms) / total).toFixed(1).padStart(5)}%`,
  );
}
const nested = [...composite].map(([name, e]) => `${name} ${e.ms.toFixed(0)} ms (${e.n} x)`).join(", ");
if (nested !== "") console.log(`composite, not in the total: ${nested}`);
