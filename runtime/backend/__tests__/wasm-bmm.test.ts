/**
 * The batched matMul kernel of wasm-bmm.ts: on a plain and on a shared memory, every output element is
 * the float32 sum over p in order (bit for bit), for widths that take its 16-, 4- and 1-column loops and
 * an empty inner dimension, and nothing past the output is written, unfused and fused (relaxed SIMD, on
 * by flag as bin/adapt.js does; the vector columns then round once per step where the engine fuses, the
 * last n % 4 columns twice); the bias-starting kernel starts each sum from its column's bias; on the
 * wasm backend the batched
 * products take it (batchedMatMul answers) and equal the cpu backend's.
 */
import { setFlagsFromString } from "node:v8";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { batchedMatMul } from "../batched-matmul.ts";
import { maxRelDiff, multiplyAddStep, onBackend, read, seededTensor } from "../testing.ts";
import { tryWasm } from "../wasm.ts";
import { bmmBiasOn, bmmModuleBytes, bmmOn } from "../wasm-bmm.ts";
import { multiplyAddFuses } from "../wasm-fma.ts";

setFlagsFromString("--experimental-wasm-relaxed-simd");

const wasm = await tryWasm();

/**
 * The kernel's result for [g, m, k] · [g, k, n] at odd offsets of `memory`, and the reference sums; with
 * `withBias`, the bias-starting kernel's, each sum starting from bias[j].
 */
function run(
  memory: WebAssembly.Memory,
  [g, m, k, n]: number[],
  withBias = false,
  fused = false,
): { got: Float32Array; want: Float32Array } {
  const f = new Float32Array(memory.buffer);
  const a = 5;
  const b = a + g! * m! * k! + 3;
  const bias = b + g! * k! * n! + 1;
  const c = bias + n! + 7;
  for (let i = 0; i < g! * m! * k!; i++) f[a + i] = Math.sin(1.3 * i);
  for (let i = 0; i < g! * k! * n!; i++) f[b + i] = Math.cos(0.7 * i);
  for (let j = 0; j < n!; j++) f[bias + j] = withBias ? Math.fround(0.1 * j - 1) : 0;
  f.fill(99, c, c + g! * m! * n! + 4);
  if (withBias) bmmBiasOn(memory, fused)!(4 * a, 4 * b, 4 * c, g!, m!, k!, n!, 4 * bias);
  else bmmOn(memory, fused)!(4 * a, 4 * b, 4 * c, g!, m!, k!, n!);
  const once = (j: number): boolean => fused && multiplyAddFuses() === true && j < n! - (n! % 4);
  const want = new Float32Array(g! * m! * n! + 4).fill(99);
  for (let e = 0; e < g!; e++)
    for (let i = 0; i < m!; i++)
      for (let j = 0; j < n!; j++) {
        let s = f[bias + j]!;
        for (let p = 0; p < k!; p++)
          s = multiplyAddStep(once(j), s, f[a + (e * m! + i) * k! + p]!, f[b + (e * k! + p) * n! + j]!);
        want[(e * m! + i) * n! + j] = s;
      }
  return { got: f.slice(c, c + want.length), want };
}

const SHAPES = [
  [2, 64, 32, 64],
  [3, 5, 7, 37],
  [2, 9, 16, 7],
  [1, 1, 1, 1],
  [4, 3, 0, 5],
];

describe("batched matMul kernel", () => {
  it("is a valid module for both memories", () => {
    expect(WebAssembly.validate(bmmModuleBytes(false))).toBe(true);
    expect(WebAssembly.validate(bmmModuleBytes(true))).toBe(true);
  });

  for (const fused of [false, true])
    for (const shared of [false, true]) {
      it(`sums in float32 in order, bit for bit, ${fused ? "fused" : "unfused"}, on a ${shared ? "shared" : "plain"} memory`, () => {
        const memory = new WebAssembly.Memory({ initial: 8, maximum: 64, shared });
        expect(bmmOn(memory, fused)).toBe(bmmOn(memory, fused));
        for (const shape of SHAPES) {
          const { got, want } = run(memory, shape, false, fused);
          expect(got).toEqual(want);
        }
      });
    }

  for (const fused of [false, true])
    it(`starts each sum from the bias in the bias-starting kernel, bit for bit, ${fused ? "fused" : "unfused"}`, () => {
      const memory = new WebAssembly.Memory({ initial: 8 });
      expect(bmmBiasOn(memory, fused)).toBe(bmmBiasOn(memory, fused));
      for (const shape of SHAPES) {
        const { got, want } = run(memory, shape, true, fused);
        expect(got).toEqual(want);
      }
    });

  it("still reads the memory after it grew", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    bmmOn(memory);
    memory.grow(4);
    const { got, want } = run(memory, [2, 40, 48, 40]);
    expect(got).toEqual(want);
  });

  it.skipIf(!wasm.ok)("runs the wasm backend's batched products, equal to cpu's within 1e-6", async () => {
    await tf.setBackend("wasm");
    const a = seededTensor(21, [2, 3, 17, 8]);
    const b = seededTensor(22, [2, 3, 8, 21]);
    const info = (t: tf.Tensor): tf.TensorInfo => ({ dataId: t.dataId, shape: t.shape, dtype: t.dtype });
    const out = batchedMatMul(tf.backend(), info(a), info(b));
    expect(out).toBeDefined();
    const got = await read(tf.engine().makeTensorFromTensorInfo(out!));
    const product = () => read(tf.matMul(seededTensor(21, [2, 3, 17, 8]), seededTensor(22, [2, 3, 8, 21])));
    expect(maxRelDiff(got, await onBackend("cpu", product))).toBeLessThanOrEqual(1e-6);
    tf.dispose([a, b]);
  });
});
