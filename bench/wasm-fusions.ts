/**
 * bench/wasm-fusions: what each of the wasm backend's own non-matMul kernels saves on a training step of
 * the bundled example, side by side in one run. For each switch (a group of kernels that can be put back
 * to tfjs's op-by-op path) it runs steps alternately with the group on and off, on the same batch, and
 * prints the median wall and CPU milliseconds (the process's, all threads: on a machine shared with other
 * jobs CPU time holds up where wall time does not) of each, their difference and the ratio. Batches: a
 * median-length one and the longest (`--pick median,longest`).
 * Usage: `npx tsx bench/wasm-fusions.ts [--reps 7] [--pick median,longest] [--only norm,copies]`.
 */
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { compileText } from "../compiler/compile.ts";
import { modelFileLoader, readText } from "../cli/files.ts";
import { selectBackend } from "../runtime/backend/select.ts";
import { installCopies, uninstallCopies } from "../runtime/backend/wasm-copy.ts";
import { GELU_TRAIN_KERNEL } from "../runtime/backend/wasm-gelu.ts";
import { GLOBAL_NORM_KERNEL, installGlobalNorm } from "../runtime/backend/wasm-norm.ts";
import { installSoftmaxGrad, SOFTMAX_GRAD_KERNEL } from "../runtime/backend/wasm-softmax.ts";
import { installLeadingSum, uninstallLeadingSum } from "../runtime/backend/wasm-sum.ts";
import { installRowTranspose, uninstallRowTranspose } from "../runtime/backend/wasm-transpose.ts";
import { installLayerNorm, LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL } from "../runtime/backend/wasm-layer-norm.ts";
import { loadDatasets } from "../runtime/data/load.ts";
import { padBatch } from "../runtime/tokenize/batches.ts";
import { batchPadding, encodeSplit } from "../runtime/train/evaluate.ts";
import { inputRoles, outputsProbabilities } from "../runtime/train/feed.ts";
import { Optimizer } from "../runtime/train/optimizer.ts";
import { buildModel, taskOf } from "../runtime/train/session.ts";
import { trainableVariables, trainStep, type StepContext } from "../runtime/train/step.ts";

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
const chosen = await selectBackend("wasm");
if (chosen.value === undefined) throw new Error(chosen.diagnostics.map((d) => d.message).join("; "));
const geluTrain = tf.getKernel(GELU_TRAIN_KERNEL, "wasm");
const spec = join(import.meta.dirname, "../examples/sentiment/houlsby.adapt");
const plan = (
  await compileText(readText(spec, process.cwd()), spec, { loader: modelFileLoader(dirname(spec)), purpose: "run" })
).value.plan!;
const tp = plan.plan!;
const built = (await buildModel(plan, dirname(spec))).value!;
const data = (await loadDatasets(tp.data, dirname(spec), taskOf(plan))).value!;
const split = encodeSplit(built.encoder, data.train, tp.maxLength);
const ranked = split.lengths
  .map((l, i) => [l, i] as const)
  .sort((a, b) => b[0] - a[0])
  .map(([, i]) => i);
const vars = trainableVariables(built.model);
const ctx: StepContext = {
  model: built.model,
  roles: inputRoles(built.model).value!,
  task: taskOf(plan),
  probabilities: outputsProbabilities(built.model),
  vars,
  optimizer: new Optimizer(tp.optimizer, vars),
  clipNorm: tp.clipNorm,
  seed: tp.seed,
};

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

let stepNo = 0;
/** One step's wall and CPU milliseconds. */
async function timedStep(batch: ReturnType<typeof padBatch>): Promise<[number, number]> {
  const [w, c] = [performance.now(), cpuMs()];
  await trainStep(ctx, batch, 1e-5, stepNo++);
  return [performance.now() - w, cpuMs() - c];
}

const reps = Number(values.reps);
const only = values.only?.split(",");
for (const pick of values.pick!.split(",")) {
  const from = { longest: 0, median: (ranked.length - tp.batch) >> 1 }[pick] ?? 0;
  const batch = padBatch(
    split.encoded,
    split.labels,
    ranked.slice(from, from + tp.batch),
    batchPadding(built.encoder.padId, tp.maxLength),
  );
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
