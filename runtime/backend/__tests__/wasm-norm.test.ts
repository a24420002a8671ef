/**
 * The global-norm kernel of wasm-norm.ts: its module sums each table entry's squares in order, in
 * float32, on a plain and a shared memory (an empty entry to 0); on the wasm backend, clipFactor's norm
 * equals the op-by-op norm of clipByGlobalNorm (Square, Sum, Add in order, Sqrt) bit for bit, for
 * gradients of 1 to 10,007 elements and for 2.4 million elements, whose sums the heap's threads share,
 * and its factor times each gradient equals clipByGlobalNorm's clipped gradients bit for bit
 * (clipping, not clipping, no clip norm); a NaN norm is not clipped; elsewhere clipFactor is undefined.
 */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { clipByGlobalNorm, clipFactor } from "../../train/optimizer.ts";
import { seededTensor } from "../testing.ts";
import { tryWasm } from "../wasm.ts";
import { installGlobalNorm, normKernel } from "../wasm-norm.ts";

const wasm = await tryWasm();

/** Σ x_i² in index order, each step rounded to float32. */
function inOrder(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s = Math.fround(s + Math.fround(x[i]! * x[i]!));
  return s;
}

/** √ of the lists' sums added in list order, all in float32: the op-by-op global norm. */
function globalNormInOrder(lists: readonly ArrayLike<number>[]): number {
  const total = lists.map(inOrder).reduce((t, s, k) => (k === 0 ? s : Math.fround(t + s)), 0);
  return Math.fround(Math.sqrt(total));
}

describe("global norm in order", () => {
  it("rounds every step to float32", () => {
    expect(globalNormInOrder([[3], [4]])).toBe(5);
    const tiny = 2 ** -12;
    expect(globalNormInOrder([[1, tiny, tiny, tiny, tiny]])).toBe(1);
    expect(globalNormInOrder([[1], [tiny, tiny, tiny, tiny]])).toBe(Math.fround(Math.sqrt(1 + 2 ** -22)));
  });
});

describe("sums of squares module", () => {
  for (const shared of [false, true])
    it(`sums each entry's squares in order in float32, on a ${shared ? "shared" : "plain"} memory`, () => {
      const memory = new WebAssembly.Memory({ initial: 2, maximum: 4, shared });
      const f = new Float32Array(memory.buffer);
      const words = new Int32Array(memory.buffer);
      const lengths = [7, 0, 1, 1000, 33];
      const table = 8;
      let at = 64;
      lengths.forEach((n, t) => {
        for (let i = 0; i < n; i++) f[at + i] = Math.sin(0.37 * (at + i)) * (t + 1);
        [words[table + 3 * t], words[table + 3 * t + 1], f[table + 3 * t + 2]] = [4 * at, n, 99];
        at += n + 3;
      });
      const sumsq = normKernel(memory)!.exports["sumsq"] as (table: number, t0: number, t1: number) => void;
      sumsq(4 * table, 1, lengths.length);
      expect(f[table + 2]).toBe(99);
      let from = 64 + lengths[0]! + 3;
      for (let t = 1; t < lengths.length; t++) {
        const list = f.subarray(from, from + lengths[t]!);
        expect(f[table + 3 * t + 2]).toBe(inOrder(list));
        from += lengths[t]! + 3;
      }
    });
});

describe.skipIf(!wasm.ok)("global-norm kernel on wasm", () => {
  it.each([
    ["up to 10,007 elements", [[10007], [384, 16], [3], [1], [16, 384], [5, 7, 2]]],
    [
      "2.4 million elements, shared by the threads",
      [[1536, 384], [384], [384, 1536], [1536], [1536, 384], [384, 384], [7]],
    ],
  ])("gives clipByGlobalNorm's norm and clipped gradients bit for bit, %s", async (_, shapes) => {
    await tf.setBackend("wasm");
    expect(installGlobalNorm()).toBe(true);
    const grads = shapes.map((s, i) => tf.mul(seededTensor(90 + i, s), i + 0.5));
    for (const clip of [null, 0.5, 1e6]) {
      const fused = clipFactor(grads, clip)!;
      const plain = clipByGlobalNorm(grads, clip);
      expect(fused.norm.dataSync()[0]).toBe(plain.norm.dataSync()[0]);
      expect(fused.scale === 1).toBe(clip !== 0.5);
      for (let i = 0; i < grads.length; i++) {
        const scaled = tf.mul(grads[i]!, fused.scale);
        const [ours, theirs] = [scaled.dataSync(), plain.grads[i]!.dataSync()];
        expect(ours.length).toBe(theirs.length);
        expect(ours.filter((v, j) => !Object.is(v, theirs[j])).length).toBe(0);
        scaled.dispose();
      }
      plain.grads.forEach((g) => grads.includes(g) || g.dispose());
      tf.dispose([fused.norm, plain.norm]);
    }
    const nan = [tf.tensor1d([1, NaN])];
    const f = clipFactor(nan, 0.1)!;
    expect(Number.isNaN(f.norm.dataSync()[0])).toBe(true);
    expect(f.scale).toBe(1);
    tf.dispose([...grads, ...nan, f.norm]);
  });

  it("is not taken on cpu", async () => {
    await tf.setBackend("cpu");
    const g = [tf.ones([2])];
    expect(clipFactor(g, 1)).toBeUndefined();
    tf.dispose(g);
    await tf.setBackend("wasm");
  });
});
