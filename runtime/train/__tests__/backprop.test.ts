/**
 * The lean backward pass: the same loss and gradients as tfjs's `variableGrads`, bit for bit (on a
 * graph with broadcasting, reshapes, a tensor read twice, a custom gradient, dropout and a variable off
 * the loss's path), a lower peak of tensor memory, nothing left behind, and the tape cleared on errors.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { seededTensor } from "../../backend/testing.ts";
import { fusedGelu } from "../../layers/fused.ts";
import { leanVariableGrads, type VariableGrads } from "../backprop.ts";
import { withSeededRandom } from "../prng.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** Weights of a small residual network (`unused` reaches nothing). */
function weights(): Record<string, tf.Variable> {
  return {
    w1: tf.variable(seededTensor(1, [8, 24]), true, "bp.w1"),
    b1: tf.variable(seededTensor(2, [24]), true, "bp.b1"),
    w2: tf.variable(seededTensor(3, [24, 8]), true, "bp.w2"),
    gain: tf.variable(seededTensor(4, [8]), true, "bp.gain"),
    frozen: tf.variable(seededTensor(5, [8, 8]), false, "bp.frozen"),
    unused: tf.variable(seededTensor(6, [3]), true, "bp.unused"),
  };
}

/** Three residual blocks (each in its own scope, as layers run): a frozen matMul, a trainable bottleneck with GELU, dropout and a gain. */
function loss(w: Record<string, tf.Variable>, x: tf.Tensor): tf.Scalar {
  let h = x;
  for (let i = 0; i < 3; i++) {
    const input = h;
    h = tf.tidy(() => {
      const frozen = tf.matMul(input, w["frozen"]!);
      const up = fusedGelu(tf.add(tf.matMul(frozen, w["w1"]!), w["b1"]!));
      const down = tf.dropout(tf.matMul(up, w["w2"]!), 0.1);
      return tf.mul(tf.add(frozen, tf.reshape(tf.reshape(down, [-1]), frozen.shape)), w["gain"]!);
    });
  }
  return tf.mean(tf.square(tf.sum(tf.mul(h, h), 1)));
}

async function values(r: VariableGrads | { value: tf.Scalar; grads: tf.NamedTensorMap }): Promise<Float32Array[]> {
  const names = Object.keys(r.grads).sort();
  const out = [await r.value.data(), ...(await Promise.all(names.map((n) => r.grads[n]!.data())))];
  tf.dispose([r.value, ...Object.values(r.grads)]);
  return out as Float32Array[];
}

describe("leanVariableGrads", () => {
  it("gives tfjs's loss and gradients bit for bit, and the same set of gradients", async () => {
    const w = weights();
    const x = seededTensor(7, [16, 8]);
    const vars = Object.values(w);
    const lean = withSeededRandom(9, () => leanVariableGrads(() => loss(w, x), vars));
    const stock = withSeededRandom(9, () => tf.variableGrads(() => loss(w, x), vars));
    expect(Object.keys(lean.grads).sort()).toEqual(["bp.b1", "bp.gain", "bp.w1", "bp.w2"]);
    expect(
      Object.keys(stock.grads)
        .filter((k) => stock.grads[k] !== null)
        .sort(),
    ).toEqual(Object.keys(lean.grads).sort());
    const kept = Object.fromEntries(Object.entries(stock.grads).filter(([, g]) => g !== null));
    expect(await values(lean)).toEqual(await values({ value: stock.value, grads: kept }));
    tf.dispose([x, ...vars]);
  });

  it("holds less tensor memory at its peak and leaves no tensor behind", async () => {
    const w = weights();
    const x = seededTensor(7, [64, 8]);
    const vars = Object.values(w);
    const run = async (f: () => VariableGrads | { value: tf.Scalar; grads: tf.NamedTensorMap }) => {
      const before = tf.memory().numTensors;
      let result: VariableGrads | { value: tf.Scalar; grads: tf.NamedTensorMap } | undefined;
      const info = await tf.profile(() => void (result = f()));
      const r = result!;
      tf.dispose([r.value, ...Object.values(r.grads).filter((g): g is tf.Tensor => g !== null)]);
      expect(tf.memory().numTensors).toBe(before);
      return info.peakBytes;
    };
    const lean = await run(() => withSeededRandom(9, () => leanVariableGrads(() => loss(w, x), vars)));
    const stock = await run(() => withSeededRandom(9, () => tf.variableGrads(() => loss(w, x), vars)));
    expect(lean).toBeLessThan(stock * 0.8);
    tf.dispose([x, ...vars]);
  });

  it("clears the tape and frees what the forward pass kept when the function is not a scalar", () => {
    const w = weights();
    const x = seededTensor(7, [4, 8]);
    const before = tf.memory().numTensors;
    expect(() => leanVariableGrads(() => tf.matMul(x, w["frozen"]!) as unknown as tf.Scalar, [w["w1"]!])).toThrow(
      /scalar/,
    );
    expect(tf.memory().numTensors).toBe(before);
    expect((tf.engine() as unknown as { state: { activeTape: unknown } }).state.activeTape).toBeNull();
    tf.dispose([x, ...Object.values(w)]);
  });

  it("is tfjs's own inside another gradient (higher order)", async () => {
    const v = tf.variable(tf.scalar(3), true, "bp.cube");
    const g = tf.grad((s: tf.Tensor) =>
      tf.tidy(() => {
        const inner = leanVariableGrads(() => tf.mul(tf.mul(v, v), s) as tf.Scalar, [v]);
        return inner.grads["bp.cube"]!;
      }),
    );
    expect(await g(tf.scalar(2)).data()).toEqual(new Float32Array([6]));
    v.dispose();
  });
});
