import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { clipByGlobalNorm, noDecay, Optimizer } from "../optimizer.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const cfg = { kind: "adam", lr: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, momentum: 0 } as const;

describe("optimizer", () => {
  it("adam matches tfjs's own Adam", () => {
    const a = tf.variable(
      tf.tensor2d([
        [1, -2],
        [3, 0.5],
      ]),
      true,
      "w1",
    );
    const b = tf.variable(
      tf.tensor2d([
        [1, -2],
        [3, 0.5],
      ]),
      true,
      "w2",
    );
    const mine = new Optimizer(cfg, [a]);
    const ref = tf.train.adam(0.1, 0.9, 0.999, 1e-8);
    for (let i = 0; i < 5; i++) {
      const g = tf.tensor2d([
        [0.1 * i, -1],
        [2, 0.3],
      ]);
      mine.applyGradients([g], 0.1);
      ref.applyGradients([{ name: "w2", tensor: g }]);
    }
    const diff = tf.max(tf.abs(a.sub(b))).dataSync()[0]!;
    expect(diff).toBeLessThan(1e-5);
  });
  it("adamw decays matrices but not biases or LayerNorm weights", () => {
    expect(noDecay("dense/bias", [4])).toBe(true);
    expect(noDecay("encoder.layer.0.output.LayerNorm/gamma", [4])).toBe(true);
    expect(noDecay("dense/kernel", [4, 4])).toBe(false);
    const k = tf.variable(tf.ones([2, 2]), true, "k");
    const bias = tf.variable(tf.ones([2]), true, "bias");
    const opt = new Optimizer({ ...cfg, kind: "adamw", weightDecay: 0.5 }, [k, bias]);
    opt.applyGradients([tf.zeros([2, 2]), tf.zeros([2])], 0.1);
    expect(k.dataSync()[0]).toBeCloseTo(0.95, 6);
    expect(bias.dataSync()[0]).toBe(1);
  });
  it("state round-trips exactly", async () => {
    const v = tf.variable(tf.tensor1d([1, 2]), true, "v");
    const opt = new Optimizer(cfg, [v]);
    opt.applyGradients([tf.tensor1d([0.5, -0.5])], 0.1);
    const state = await opt.getState();
    const other = new Optimizer(cfg, [v]);
    expect(other.setState(state)).toBe(true);
    expect(other.step).toBe(1);
    expect((await other.getState()).slots).toEqual(state.slots);
    expect(other.setState({ step: 1, slots: [] })).toBe(false);
  });
  it("sgd with momentum and global-norm clipping", () => {
    const v = tf.variable(tf.tensor1d([0]), true, "s");
    const opt = new Optimizer({ ...cfg, kind: "sgd", momentum: 0.5 }, [v]);
    opt.applyGradients([tf.tensor1d([1])], 1);
    opt.applyGradients([tf.tensor1d([1])], 1);
    expect(v.dataSync()[0]).toBeCloseTo(-2.5, 6);
    const { grads, norm } = clipByGlobalNorm([tf.tensor1d([3]), tf.tensor1d([4])], 1);
    expect(norm.dataSync()[0]).toBeCloseTo(5, 6);
    expect([grads[0]!.dataSync()[0], grads[1]!.dataSync()[0]]).toEqual([
      expect.closeTo(0.6, 6),
      expect.closeTo(0.8, 6),
    ]);
  });
});
