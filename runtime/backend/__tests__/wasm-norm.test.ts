/**
 * The global-norm kernel of wasm-norm.ts: on the wasm backend, clipFactor's norm equals the op-by-op norm
 * of clipByGlobalNorm (Square, Sum, Add in order, Sqrt) bit for bit, for gradients of 1 to 10,007
 * elements, and its factor times each gradient equals clipByGlobalNorm's clipped gradients bit for bit
 * (clipping, not clipping, no clip norm); a NaN norm is not clipped; elsewhere clipFactor is undefined.
 */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { clipByGlobalNorm, clipFactor } from "../../train/optimizer.ts";
import { seededTensor } from "../testing.ts";
import { tryWasm } from "../wasm.ts";
import { globalNormInOrder, installGlobalNorm } from "../wasm-norm.ts";

const wasm = await tryWasm();

describe("global norm in order", () => {
  it("rounds every step to float32", () => {
    expect(globalNormInOrder([[3], [4]])).toBe(5);
    const tiny = 2 ** -12;
    expect(globalNormInOrder([[1, tiny, tiny, tiny, tiny]])).toBe(1);
    expect(globalNormInOrder([[1], [tiny, tiny, tiny, tiny]])).toBe(Math.fround(Math.sqrt(1 + 2 ** -22)));
  });
});

describe.skipIf(!wasm.ok)("global-norm kernel on wasm", () => {
  it("gives clipByGlobalNorm's norm and clipped gradients bit for bit", async () => {
    await tf.setBackend("wasm");
    expect(installGlobalNorm()).toBe(true);
    const shapes = [[10007], [384, 16], [3], [1], [16, 384], [5, 7, 2]];
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
