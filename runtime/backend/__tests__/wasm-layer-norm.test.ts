/**
 * The LayerNorm kernels of wasm-layer-norm.ts: a valid module for both memories; on the wasm backend the
 * layer (runtime/layers/layer-norm.ts) takes them and its output and the gradients of x, γ and β equal the
 * op-by-op layer's within 2e-6 relative to max(1, |value|) (row sums in four lanes instead of one),
 * for rows of 384 and of 6 and 7 (0-3 floats after the last vector), rows far from zero mean and a
 * constant row; a norm over another axis keeps the op-by-op path.
 */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { layerNormalization } from "../../layers/layer-norm.ts";
import { maxRelDiff, recordKernelCalls, seededTensor } from "../testing.ts";
import { tryWasm } from "../wasm.ts";
import {
  installLayerNorm,
  LAYER_NORM_GRAD_KERNEL,
  LAYER_NORM_KERNEL,
  layerNormModuleBytes,
} from "../wasm-layer-norm.ts";

const wasm = await tryWasm();

/** The layer's output and the gradients of x, γ and β of Σ y·w, flattened, for input `x`. */
function outputAndGrads(x0: tf.Tensor, axis = -1): number[][] {
  const d = x0.shape[axis < 0 ? x0.rank + axis : axis]!;
  const layer = layerNormalization({ name: `ln${d}`, epsilon: 1e-12, axis });
  layer.build(x0.shape);
  layer.setWeights([tf.add(1, seededTensor(11, [d])), seededTensor(12, [d])]);
  const x = tf.variable(x0, true);
  const w = seededTensor(13, x0.shape);
  const vars = [x, ...layer.trainableWeights.map((v) => v.read() as tf.Variable)];
  let y: number[] = [];
  const { grads } = tf.variableGrads(() => {
    const out = layer.apply(x) as tf.Tensor;
    y = [...out.dataSync()];
    return tf.sum(tf.mul(out, w)) as tf.Scalar;
  }, vars);
  const [gx, gg, gb] = vars.map((v) => [...grads[v.name]!.dataSync()]);
  tf.dispose([x, w, ...Object.values(grads)]);
  layer.weights.forEach((v) => v.dispose());
  return [y, gx!, gg!, gb!];
}

function inputs(): tf.Tensor[] {
  return [
    seededTensor(1, [3, 5, 384]),
    seededTensor(2, [4, 7]),
    tf.add(100, tf.mul(seededTensor(3, [2, 3, 6]), 0.01)),
    tf.concat([tf.fill([1, 9], 0.5), seededTensor(4, [2, 9])]),
  ];
}

describe("LayerNorm kernels", () => {
  it("are a valid module for both memories", () => {
    expect(WebAssembly.validate(layerNormModuleBytes(false))).toBe(true);
    expect(WebAssembly.validate(layerNormModuleBytes(true))).toBe(true);
  });

  it.skipIf(!wasm.ok)("give the op-by-op layer norm and its gradients within 2e-6 on wasm", async () => {
    await tf.setBackend("wasm");
    expect(installLayerNorm()).toBe(true);
    const calls = recordKernelCalls([LAYER_NORM_KERNEL, LAYER_NORM_GRAD_KERNEL]);
    const xs = inputs();
    const fused = xs.map((x) => outputAndGrads(x));
    expect(calls.length).toBe(2 * xs.length);
    const otherAxis = outputAndGrads(xs[0]!, 1);
    expect(calls.length).toBe(2 * xs.length);
    tf.unregisterKernel(LAYER_NORM_KERNEL, "wasm");
    tf.unregisterKernel(LAYER_NORM_GRAD_KERNEL, "wasm");
    const plain = xs.map((x) => outputAndGrads(x));
    expect(outputAndGrads(xs[0]!, 1)).toEqual(otherAxis);
    expect(installLayerNorm()).toBe(true);
    const worst = fused.map((f, i) => f.map((a, j) => maxRelDiff(a, plain[i]![j]!)));
    for (const row of worst) for (const e of row) expect(e).toBeLessThan(2e-6);
    tf.dispose(xs);
  });
});
