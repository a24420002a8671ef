/**
 * bench/wasm-fusions: what each of the wasm backend's own non-matMul kernels saves on a training step of
 * the bundled example, side by side in one run. For each switch (a group of kernels that can be put back
 * to tfjs's op-by-op path) it runs steps alternately with the group on and off, on the same batch, and
 * prints the median wall and CPU milliseconds (the process's, all threads: on a machine shared with other
 * jobs CPU time holds up where wall time does not) of each, their difference and the ratio. Batches: a
 * median-length one and the longest (`--pick median,longest`).
 * Usage: `npx tsx bench/wasm-fusions.ts [--reps 7] [--pick median,longest] [--only norm,copies]`.
 */
import "./relaxed-simd.ts";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { installCopies, uninstallCopies } from "../runtime/backend/wasm-copy.ts";
import { GELU_TRAIN_KERNEL } from "../runtime/backend/wasm-gelu.ts";
import { GLOBAL_NORM_KERNEL, installGlobalNorm } from "../runtime/backend/wasm-norm.ts";
import { installSoftmaxGrad, SOFTMAX_GRAD_KERNEL } from "../runtime/backend/wasm-softmax.ts";
import { installLeadingSum, uninstallLeadingSum } from "../runtime/backend/wasm-sum.ts";
import { installRowTranspose, uninstallRowTranspose } from "../runtime/backend/wasm-transpose.ts";
import { installLayerNorm, LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL } from "../runtime/backend/wasm-layer-norm.ts";
import type { Batch } from "../runtime/tokenize/batches.ts";
import { trainStep } from "../runtime/train/step.ts";
import { exampleStep } from "./example-step.ts";

/** Unregisters a wasm kernel when it is registered. */
function unregister(name: string): void {
  if (tf.getKernel(name, "wasm") !== undefined) tf.unregisterKernel(name, "wasm");
}

/** A group of kernels that can be switched off (back to tfjs's own path) and on again. */
interface Switch {
  readonly name: string;
  off(): void;
  on(): void;
}

/** Re-registers a kernel config taken while it was registered. */
function reregister(config: tf.KernelConfig | undefined): void {
  if (config !== undefined && tf.getKernel(config.kernelName, "wasm") === undefined) tf.registerKernel(config);
}

const SWITCHES: readonly Switch[] = [
  { name: "copies", off: () => uninstallCopies(), on: () => installCopies() },
  { name: "norm", off: () => unregister(GLOBAL_NORM_KERNEL), on: () => installGlobalNorm() },
  { name: "sum", off: () => uninstallLeadingSum(), on: () => installLeadingSum() },
  {
    name: "layernorm",
    off: () => [LAYER_NORM_KERNEL, LAYER_NORM_GRAD_KERNEL].forEach(unregister),
    on: () => installLayerNorm(),
  },
  { name: "softmaxgrad", off: () => unregister(SOFTMAX_GRAD_KERNEL), on: () => installSoftmaxGrad() },
  { name: "transpose", off: () => uninstallRowTranspose(), on: () => installRowTranspose() },
  { name: "geluslope", off: () => unregister(GELU_TRAIN_KERNEL), on: () => reregister(geluTrain) },
];
const ALL: Switch = {
  name: "all",
  off: () => SWITCHES.forEach((s) => s.off()),
  on: () => SWITCHES.forEach((s) => s.on()),
};

const { values } = parseArgs({
  options: {
    reps: { type: "string", default: "7" },
    pick: { type: "string", default: "median,longest" },
    only: { type: "string" },
  },
});
const { ctx, batch: batchAt } = await exampleStep("wasm");
const geluTrain = tf.getKernel(GELU_TRAIN_KERNEL, "wasm");

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

let stepNo = 0;
/** One step's wall and CPU milliseconds. */
async function timedStep(batch: Batch): Promise<[number, number]> {
  const [w, c] = [performance.now(), cpuMs()];
  await trainStep(ctx, batch, 1e-5, stepNo++);
  return [performance.now() - w, cpuMs() - c];
}

const reps = Number(values.reps);
const only = values.only?.split(",");
for (const pick of values.pick!.split(",")) {
  const batch = batchAt(pick);
  await timedStep(batch);
  console.log(`batch ${pick}: ${batch.size} x ${batch.length}; ${reps} steps each way, alternating`);
  for (const sw of [...SWITCHES, ALL].filter((s) => only === undefined || only.includes(s.name))) {
    const times = { on: [] as [number, number][], off: [] as [number, number][] };
    for (let r = 0; r < reps; r++) {
      for (const state of r % 2 === 0 ? (["off", "on"] as const) : (["on", "off"] as const)) {
        sw[state]();
        times[state].push(await timedStep(batch));
      }
    }
    sw.on();
    const [wOff, cOff, wOn, cOn] = [
      median(times.off.map((t) => t[0])),
      median(times.off.map((t) => t[1])),
      median(times.on.map((t) => t[0])),
      median(times.on.map((t) => t[1])),
    ];
    console.log(
      `  ${sw.name.padEnd(10)} wall ${wOff.toFixed(0)} -> ${wOn.toFixed(0)} ms (${(wOn - wOff).toFixed(0)}, x${(wOn / wOff).toFixed(3)}); CPU ${cOff.toFixed(0)} -> ${cOn.toFixed(0)} ms (${(cOn - cOff).toFixed(0)}, x${(cOn / cOff).toFixed(3)})`,
    );
  }
}
