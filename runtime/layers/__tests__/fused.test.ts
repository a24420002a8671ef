import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { FrozenDense, fusedGelu, scaledMaskedSoftmax } from "../index.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** tfjs-layers' gelu, op for op (the stock class is replaced in the registry by fused.ts). */
const stockGelu = (x: tf.Tensor): tf.Tensor => tf.mul(x, tf.mul(0.5, tf.add(1, tf.erf(tf.div(x, Math.sqrt(2))))));

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
}

describe("memory-lean fused ops", () => {
  it("GELU: the same values as tfjs's, bit for bit, and its gradient", () => {
    const x = tf.randomNormal([3, 5, 7], 0, 2, "float32", 1);
    expect(Array.from(fusedGelu(x).dataSync())).toEqual(Array.from(stockGelu(x).dataSync()));
    const w = tf.randomNormal([3, 5, 7], 0, 1, "float32", 2);
    const ours = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(fusedGelu(t), w)))(x);
    const theirs = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(stockGelu(t), w)))(x);
    expect(maxDiff(ours, theirs)).toBeLessThan(1e-5);
  });

  it("the `gelu` activation layer uses it", () => {
    const layer = tf.layers.activation({ activation: "gelu" });
    const x = tf.randomNormal([4, 6], 0, 1, "float32", 3);
    expect(Array.from((layer.apply(x) as tf.Tensor).dataSync())).toEqual(Array.from(stockGelu(x).dataSync()));
  });

  it("scale, mask and softmax: the same values as the composed ops, and the gradient", () => {
    const s = tf.randomNormal([2, 3, 5, 5], 0, 3, "float32", 4);
    const bias = tf.mul(tf.sub(1, tf.tensor4d([1, 1, 1, 0, 0, 1, 1, 1, 1, 1], [2, 1, 1, 5])), -1e9);
    const composed = (t: tf.Tensor): tf.Tensor => tf.softmax(tf.add(tf.mul(t, 0.125), bias));
    expect(Array.from(scaledMaskedSoftmax(s, 0.125, bias).dataSync())).toEqual(Array.from(composed(s).dataSync()));
    const w = tf.randomNormal([2, 3, 5, 5], 0, 1, "float32", 5);
    const ours = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(scaledMaskedSoftmax(t, 0.125, bias), w)))(s);
    const theirs = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(composed(t), w)))(s);
    expect(maxDiff(ours, theirs)).toBeLessThan(1e-6);
  });

  it("a frozen Dense adds its frozen bias inside the op: same values, input gradient only", () => {
    const layer = new FrozenDense({ units: 3, name: "d" });
    layer.build([null, 4]);
    layer.trainable = false;
    layer.setWeights([tf.randomNormal([4, 3], 0, 1, "float32", 6), tf.randomNormal([3], 0, 1, "float32", 7)]);
    const x = tf.randomNormal([2, 5, 4], 0, 1, "float32", 8);
    const [k, b] = layer.getWeights() as [tf.Tensor, tf.Tensor];
    const expected = tf.add(tf.reshape(tf.matMul(tf.reshape(x, [-1, 4]), k), [2, 5, 3]), b);
    expect(Array.from((layer.apply(x) as tf.Tensor).dataSync())).toEqual(Array.from(expected.dataSync()));
    const dx = tf.grad((t: tf.Tensor) => tf.sum(layer.apply(t) as tf.Tensor))(x);
    const dxRef = tf.grad((t: tf.Tensor) => tf.sum(tf.add(tf.matMul(tf.reshape(t, [-1, 4]), k), b)))(x);
    expect(maxDiff(dx, tf.reshape(dxRef, [2, 5, 4]))).toBeLessThan(1e-6);
  });
});
