/**
 * The new layers' arithmetic: Compacter's weight is Σᵢ Aᵢ ⊗ (sᵢ·tᵢ), and an attention layer with prefix
 * rows attends over them as extra keys and values (always, whatever the padding mask says).
 */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { phmWeight } from "../../layers/index.ts";
import { MaskedSelfAttention } from "../../bert/layers.ts";

function kron(a: number[][], b: number[][]): number[][] {
  return a.flatMap((row) => b.map((brow) => row.flatMap((x) => brow.map((y) => x * y))));
}

describe("phmWeight", () => {
  it("is the sum of the Kronecker products of the rules with the rank-r factors", async () => {
    await tf.setBackend("cpu");
    const n = 2,
      p = 3,
      q = 2,
      r = 2;
    const rule = tf.randomNormal([n, n, n], 0, 1, "float32", 1);
    const left = tf.randomNormal([n, p, r], 0, 1, "float32", 2);
    const right = tf.randomNormal([n, r, q], 0, 1, "float32", 3);
    const got = (await phmWeight(rule, left, right).array()) as number[][];
    const A = (await rule.array()) as number[][][];
    const B = (await tf.matMul(left as tf.Tensor3D, right as tf.Tensor3D).array()) as number[][][];
    const want = A.map((a, i) => kron(a, B[i]!)).reduce((s, m) => s.map((row, x) => row.map((v, y) => v + m[x]![y]!)));
    expect(got.length).toBe(n * p);
    got.forEach((row, x) => row.forEach((v, y) => expect(v).toBeCloseTo(want[x]![y]!, 5)));
  });
});

describe("MaskedSelfAttention with prefix rows", () => {
  it("attends to the prefix rows as keys and values, even where every token is masked", async () => {
    await tf.setBackend("cpu");
    const att = new MaskedSelfAttention({ numHeads: 1 });
    const q = tf.ones([1, 2, 2]);
    const k = tf.zeros([1, 2, 2]);
    const v = tf.zeros([1, 2, 2]);
    const prefix = tf.tensor3d([[[0, 0, 5, 7]]]);
    const masked = tf.tensor2d([[0, 0]], [1, 2], "int32");
    const out = (await (att.apply([q, k, v, masked, prefix]) as tf.Tensor).array()) as number[][][];
    out[0]!.forEach((row) => expect(row.map((x) => Math.round(x * 1e4) / 1e4)).toEqual([5, 7]));
    const without = (await (
      att.apply([q, k, v, tf.tensor2d([[1, 1]], [1, 2], "int32")]) as tf.Tensor
    ).array()) as number[][][];
    expect(without[0]![0]).toEqual([0, 0]);
  });
});
