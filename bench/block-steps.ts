/**
 * Timed training steps of the MiniLM-sized block (bench/block.ts) with adam on the active backend: one
 * untimed warm-up step (kernel compilation), then `steps` timed ones, each waiting for its loss and
 * followed by the housekeeping `adapt run` does between steps (settleDevice: webgpu only).
 */
import * as tf from "@tensorflow/tfjs";
import { seededTensor } from "../runtime/backend/compare.ts";
import { settleDevice } from "../runtime/backend/device.ts";
import { B, H, T, block, blockWeights } from "./block.ts";

/** What the timed steps took. */
export interface StepTiming {
  readonly steps: number;
  readonly seconds: number;
  readonly stepsPerSecond: number;
  /** The loss after the last step (the same seeded problem on every backend). */
  readonly loss: number;
}

/** Runs one warm-up and `steps` timed training steps on the active backend. */
export async function timeBlockSteps(steps: number): Promise<StepTiming> {
  const x = tf.tidy(() => seededTensor(3, [B, T, H]).mul(0.5)) as tf.Tensor3D;
  const weights = blockWeights().map((w) => tf.variable(w));
  const opt = tf.train.adam(1e-4);
  const step = async (): Promise<number> => {
    const loss = opt.minimize(() => block(x, weights), true, weights)!;
    const v = (await loss.data())[0]!;
    loss.dispose();
    settleDevice();
    return v;
  };
  await step();
  const t0 = performance.now();
  let loss = 0;
  for (let i = 0; i < steps; i++) loss = await step();
  const seconds = (performance.now() - t0) / 1000;
  x.dispose();
  opt.dispose();
  for (const w of weights) w.dispose();
  return { steps, seconds, stepsPerSecond: steps / seconds, loss };
}
