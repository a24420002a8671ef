/**
 * Training steps/s of the MiniLM-sized block (bench/block.ts) with adam on one backend. Prints one JSON
 * line: backend, adapter/detail, steps/s, final loss. Usage:
 * `npx tsx bench/gpu-step.ts [--backend auto|webgpu|wasm|cpu|tensorflow] [--steps N]`.
 * scripts/gpu-bench bundles it to run on a GPU machine without Node or network.
 */
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../runtime/backend/select.ts";
import { seededTensor } from "../runtime/backend/compare.ts";
import { B, H, T, block, blockWeights } from "./block.ts";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

async function main(): Promise<void> {
  const steps = Number(arg("steps", "10"));
  const r = await selectBackend(arg("backend", "auto"), { allowSoftwareGpu: false });
  if (r.value === undefined) {
    console.log(JSON.stringify({ error: r.diagnostics.map((d) => `${d.code}: ${d.message}`) }));
    process.exitCode = 1;
    return;
  }
  const x = tf.tidy(() => seededTensor(3, [B, T, H]).mul(0.5)) as tf.Tensor3D;
  const weights = blockWeights().map((w) => tf.variable(w));
  const opt = tf.train.adam(1e-4);
  const step = async (): Promise<number> => {
    const loss = opt.minimize(() => block(x, weights), true, weights)!;
    const v = (await loss.data())[0]!;
    loss.dispose();
    return v;
  };
  await step();
  const t0 = performance.now();
  let loss = 0;
  for (let i = 0; i < steps; i++) loss = await step();
  const s = (performance.now() - t0) / 1000;
  const out = { backend: r.value.name, detail: r.value.detail, steps, seconds: s, stepsPerSecond: steps / s, loss };
  console.log(JSON.stringify(out));
}

await main();
