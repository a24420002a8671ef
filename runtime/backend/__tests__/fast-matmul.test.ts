/**
 * The wasm matMul wrapper: values and gradients equal cpu's and (but for the fused case) tfjs's own wasm
 * kernels within 1e-5, no backend memory leaks, and uninstalling puts tfjs's kernels back. tfjs-backend-wasm
 * 4.22's own _FusedMatMul is wrong with transposeB and a bias (off by up to 2); the wrapper avoids that path.
 * Products whose operands share a batch, and small ones, run on the SIMD kernel of wasm-bmm.ts (batched-matmul.ts);
 * one whose batch broadcasts takes tfjs's kernel. A weight's transpose is kept while the weight lives.
 */
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { columnBias, sharedBatch, smallProduct } from "../batched-matmul.ts";
import { fastMatMulInstalled, installFastMatMul, swapLastTwo } from "../fast-matmul.ts";
import { keptCopies } from "../transposed-weights.ts";
import { maxRelDiff, onBackend, read, seededTensor } from "../testing.ts";
import { tryWasm } from "../wasm.ts";

const wasm = await tryWasm(false);
if (!wasm.ok) console.log(`[fast-matmul] wasm backend skipped: ${wasm.reason}`);

type Fn = (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
const CASES: [string, number[], number[], Fn][] = [
  ["plain", [20, 30], [30, 10], (a, b) => tf.matMul(a, b)],
  ["transposeA", [30, 20], [30, 10], (a, b) => tf.matMul(a, b, true, false)],
  ["transposeB", [20, 30], [10, 30], (a, b) => tf.matMul(a, b, false, true)],
  ["both", [30, 20], [10, 30], (a, b) => tf.matMul(a, b, true, true)],
  ["batched", [4, 9, 16], [4, 7, 16], (a, b) => tf.matMul(a, b, false, true)],
  ["rank 4", [2, 3, 5, 8], [2, 3, 6, 8], (a, b) => tf.matMul(a, b, false, true)],
  ["rank 4, untransposed", [2, 3, 5, 8], [2, 3, 8, 6], (a, b) => tf.matMul(a, b)],
  ["vector", [1, 12], [12, 1], (a, b) => tf.matMul(a, b, true, true)],
  ["small, rank 3", [1, 70, 40], [1, 40, 8], (a, b) => tf.matMul(a, b)],
  ["small, transposeB", [70, 40], [8, 40], (a, b) => tf.matMul(a, b, false, true)],
  ["large", [40, 48], [48, 40], (a, b) => tf.matMul(a, b, true, true)],
  ["small with a bias", [20, 30], [30, 10], (a, b) => tf.fused.matMul({ a, b, bias: tf.linspace(-1, 1, 10) })],
  [
    "fused with bias and relu",
    [20, 30],
    [10, 30],
    (a, b) => tf.fused.matMul({ a, b, transposeB: true, bias: tf.linspace(-1, 1, 10), activation: "relu" }),
  ],
];

async function valueAndGrads(shapeA: number[], shapeB: number[], f: Fn): Promise<number[]> {
  const tensors = tf.tidy(() => {
    const a = seededTensor(11, shapeA);
    const b = seededTensor(12, shapeB);
    const g = tf.valueAndGrads((x: tf.Tensor, y: tf.Tensor) => f(x, y).square().sum() as tf.Scalar);
    const { value, grads } = g([a, b]);
    return [value, ...grads, f(a, b)];
  });
  return read(...tensors);
}

describe.skipIf(!wasm.ok)("fast matMul on wasm", () => {
  let uninstall = (): void => {};
  beforeAll(async () => {
    await tf.setBackend("wasm");
  });
  afterAll(() => uninstall());

  it("takes the per-entry path only for a shared float32 batch over 1", () => {
    const info = (shape: number[], dtype: tf.DataType = "float32") => ({ dataId: {}, shape, dtype });
    expect(sharedBatch(info([2, 3, 5, 8]), info([2, 3, 8, 6]))).toBe(6);
    expect(sharedBatch(info([1, 5, 8]), info([1, 8, 6]))).toBe(0);
    expect(sharedBatch(info([2, 3, 5, 8]), info([1, 3, 8, 6]))).toBe(0);
    expect(sharedBatch(info([4, 5, 8]), info([8, 6]))).toBe(0);
    expect(sharedBatch(info([4, 5, 8], "int32"), info([4, 8, 6]))).toBe(0);
  });

  it("counts a product small when a dimension is at most 32 and neither operand has a batch", () => {
    const info = (shape: number[], dtype: tf.DataType = "float32") => ({ dataId: {}, shape, dtype });
    expect(smallProduct(info([2048, 384]), info([384, 16]))).toBe(true);
    expect(smallProduct(info([1, 2048, 16]), info([1, 16, 384]))).toBe(true);
    expect(smallProduct(info([32, 384]), info([384, 384]))).toBe(true);
    expect(smallProduct(info([33, 384]), info([384, 384]))).toBe(false);
    expect(smallProduct(info([2, 64, 384]), info([2, 384, 16]))).toBe(false);
    expect(smallProduct(info([64, 8], "int32"), info([8, 64], "int32"))).toBe(false);
    expect(columnBias(info([16]), 16)).toBe(true);
    expect(columnBias(info([1, 16]), 16)).toBe(true);
    expect(columnBias(info([4, 16]), 16)).toBe(false);
    expect(columnBias(info([1]), 16)).toBe(false);
  });

  it("a product whose batch broadcasts (tfjs's kernel) equals cpu's within 1e-5", async () => {
    uninstall();
    uninstall = installFastMatMul();
    const product = () => read(tf.matMul(seededTensor(13, [2, 3, 5, 8]), seededTensor(14, [1, 3, 6, 8]), false, true));
    expect(maxRelDiff(await product(), await onBackend("cpu", product))).toBeLessThanOrEqual(1e-5);
  });

  it("swaps the last two axes", () => {
    expect(swapLastTwo(2)).toEqual([1, 0]);
    expect(swapLastTwo(4)).toEqual([0, 1, 3, 2]);
  });

  for (const [name, sa, sb, f] of CASES) {
    it(`${name}: values and gradients equal tfjs's kernels within 1e-5`, async () => {
      uninstall();
      expect(fastMatMulInstalled()).toBe(false);
      const plain = await valueAndGrads(sa, sb, f);
      uninstall = installFastMatMul();
      expect(fastMatMulInstalled()).toBe(true);
      const ids = tf.engine().backend.numDataIds();
      const fast = await valueAndGrads(sa, sb, f);
      expect(tf.engine().backend.numDataIds()).toBe(ids);
      expect(maxRelDiff(fast, await onBackend("cpu", () => valueAndGrads(sa, sb, f)))).toBeLessThanOrEqual(1e-5);
      if (name.startsWith("fused"))
        expect(maxRelDiff(plain, fast)).toBeGreaterThan(1); // tfjs-backend-wasm 4.22's bug
      else expect(maxRelDiff(fast, plain)).toBeLessThanOrEqual(1e-5);
    });
  }

  it("runs an adapter's small products, with and without a bias, bit for bit as tfjs's kernels", async () => {
    uninstall();
    const products = () =>
      tf.tidy(() => {
        const [x, down, up] = [seededTensor(17, [96, 64]), seededTensor(18, [64, 8]), seededTensor(19, [8, 64])];
        const h = tf.fused.matMul({ a: x, b: down, bias: tf.linspace(-1, 1, 8) });
        return [h, tf.matMul(h, up), tf.fused.matMul({ a: h, b: up, bias: tf.linspace(1, 2, 64) })];
      });
    const plain = await read(...products());
    uninstall = installFastMatMul();
    expect(await read(...products())).toEqual(plain);
  });

  it("keeps a weight's transpose from its second product on, and a new one after it is assigned", async () => {
    uninstall();
    uninstall = installFastMatMul();
    const backend = tf.engine().backend;
    const ids = backend.numDataIds();
    const initial = seededTensor(15, [48, 40]);
    const w = tf.variable(initial);
    initial.dispose();
    const x = seededTensor(16, [6, 40]);
    const product = () => tf.tidy(() => tf.matMul(x, w, false, true));
    const first = await read(product());
    expect(keptCopies(backend)).toEqual({ count: 0, bytes: 0 });
    expect(await read(product())).toEqual(first);
    expect(keptCopies(backend)).toEqual({ count: 1, bytes: 48 * 40 * 4 });
    expect(await read(product())).toEqual(first);
    expect(keptCopies(backend).count).toBe(1);
    const twice = w.mul(2);
    w.assign(twice);
    twice.dispose();
    expect(keptCopies(backend).count).toBe(0);
    const doubled = await read(product());
    expect(doubled).toEqual(first.map((v) => 2 * v));
    expect(await read(product())).toEqual(doubled);
    expect(keptCopies(backend).count).toBe(1);
    tf.dispose([w, x]);
    expect(keptCopies(backend)).toEqual({ count: 0, bytes: 0 });
    expect(backend.numDataIds()).toBe(ids);
  });

  it("installing twice wraps once, and uninstalling restores the kernels", () => {
    const original = tf.getKernel("BatchMatMul", "wasm")!.kernelFunc;
    const undo = installFastMatMul();
    const wrapped = tf.getKernel("BatchMatMul", "wasm")!.kernelFunc;
    installFastMatMul()();
    expect(tf.getKernel("BatchMatMul", "wasm")!.kernelFunc).toBe(wrapped);
    undo();
    expect(tf.getKernel("BatchMatMul", "wasm")!.kernelFunc).toBe(original);
  });
});
