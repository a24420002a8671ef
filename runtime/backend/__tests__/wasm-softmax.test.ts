/**
 * The softmax-gradient kernel of wasm-softmax.ts: a valid module for both memories; on the wasm backend
 * scaledMaskedSoftmax's gradient takes it and equals the op-by-op gradient of the scores within 1e-6
 * relative to max(1, |value|) (worst seen 6e-9), for key counts of 64, 15 and 7 (0-3 after the last
 * vector) with padded keys; the probabilities stay the op-by-op ones bit for bit.
 */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { MASKED_SCORE } from "../../bert/layers.ts";
import { scaledMaskedSoftmax } from "../../layers/fused.ts";
import { maxRelDiff, recordKernelCalls, seededTensor } from "../testing.ts";
import { tryWasm } from "../wasm.ts";
import { installSoftmaxGrad, SOFTMAX_GRAD_KERNEL, softmaxModuleBytes } from "../wasm-softmax.ts";

const wasm = await tryWasm();

/** Probabilities and the scores' gradient of Σ p·w for scores of `shape`, the last `pad` keys of batch 0 padded. */
function probsAndGrad(shape: [number, number, number, number], pad: number, seed: number): number[][] {
  return tf.tidy(() => {
    const [b, , , k] = shape;
    const keep = tf.tensor(
      Array.from({ length: b * k }, (_, i) => (i < k && i >= k - pad ? 0 : 1)),
      [b, 1, 1, k],
    );
    const bias = tf.mul(tf.sub(1, keep), MASKED_SCORE);
    const scores = tf.mul(seededTensor(seed, shape), 6);
    const w = seededTensor(seed + 1, shape);
    const f = (s: tf.Tensor): tf.Tensor => scaledMaskedSoftmax(s, 0.125, bias);
    const g = tf.grad((s: tf.Tensor) => tf.sum(tf.mul(f(s), w)))(scores);
    return [[...f(scores).dataSync()], [...g.dataSync()]];
  });
}

const CASES: [[number, number, number, number], number][] = [
  [[2, 3, 64, 64], 20],
  [[3, 2, 15, 15], 4],
  [[2, 2, 5, 7], 3],
];

describe("softmax-gradient kernel", () => {
  it("is a valid module for both memories", () => {
    expect(WebAssembly.validate(softmaxModuleBytes(false))).toBe(true);
    expect(WebAssembly.validate(softmaxModuleBytes(true))).toBe(true);
  });

  it.skipIf(!wasm.ok)("gives the op-by-op gradient within 1e-6 on wasm", async () => {
    await tf.setBackend("wasm");
    expect(installSoftmaxGrad()).toBe(true);
    const calls = recordKernelCalls([SOFTMAX_GRAD_KERNEL]);
    const fused = CASES.map(([shape, pad], i) => probsAndGrad(shape, pad, 50 + 2 * i));
    expect(calls.length).toBe(CASES.length);
    tf.unregisterKernel(SOFTMAX_GRAD_KERNEL, "wasm");
    const plain = CASES.map(([shape, pad], i) => probsAndGrad(shape, pad, 50 + 2 * i));
    expect(installSoftmaxGrad()).toBe(true);
    CASES.forEach((_, i) => {
      expect(fused[i]![0]).toEqual(plain[i]![0]);
      expect(maxRelDiff(fused[i]![1]!, plain[i]![1]!)).toBeLessThanOrEqual(1e-6);
    });
  });
});
