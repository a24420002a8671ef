/**
 * Products on the dense kernel on the wasm backend (dense-matmul.ts through fast-matmul.ts): on the
 * threaded build it runs on threads of its own and XNNPACK keeps one; a frozen weight's forward product
 * (with a bias) and its input gradient dY·Wᵀ take it, packed per call the first time and from a kept copy
 * after; a trained weight is never kept; Xᵀ·dY takes it too; every result is the float32 sum over k in
 * order from the bias, bit for bit, and nothing leaks.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { read, seededTensor } from "../testing.ts";
import { keptCopies } from "../transposed-weights.ts";
import { tryWasm } from "../wasm.ts";
import { heapRunner, useHeapRunner, wasmHeap } from "../wasm-asm.ts";
import { threadedOutcome } from "../wasm-threads.ts";

const wasm = await tryWasm();
if (!wasm.ok) console.log(`[dense-matmul] wasm backend skipped: ${wasm.reason}`);

/** op(a) · op(b) (+ bias) in float32, summing over k in order from the bias, as [m, n] values. */
async function reference(a: tf.Tensor, b: tf.Tensor, ta: boolean, tb: boolean, bias?: tf.Tensor): Promise<number[]> {
  const [x, y, z] = await Promise.all([a.data(), b.data(), bias?.data()]);
  const [m, k] = ta ? [a.shape.at(-1)!, a.shape.at(-2)!] : [a.size / a.shape.at(-1)!, a.shape.at(-1)!];
  const n = tb ? b.shape.at(-2)! : b.shape.at(-1)!;
  const at = (i: number, q: number): number => (ta ? x[q * m + i]! : x[i * k + q]!);
  const bt = (q: number, j: number): number => (tb ? y[j * k + q]! : y[q * n + j]!);
  const out: number[] = [];
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = z === undefined ? 0 : z[j]!;
      for (let q = 0; q < k; q++) s = Math.fround(s + Math.fround(at(i, q) * bt(q, j)));
      out.push(s);
    }
  return out;
}

describe.skipIf(!wasm.ok)("dense kernel on the wasm backend", () => {
  let products = 0;
  let counted = false;
  let backend: tf.KernelBackend;
  beforeAll(async () => {
    await tf.setBackend("wasm");
    backend = tf.backend();
    const memory = wasmHeap(backend)!.memory;
    const inner = heapRunner(memory);
    if (inner === undefined) return;
    counted = true;
    useHeapRunner(memory, {
      threads: inner.threads,
      share: (kernel, name, work) => {
        if (name === "gemm") products++;
        inner.share(kernel, name, work);
      },
    });
  });

  it("runs on threads of its own where the threaded build has them, XNNPACK keeping one", () => {
    const o = threadedOutcome();
    if (o === undefined || o.fallback !== undefined || o.threads < 2) return;
    expect(o.xnnpackThreads).toBe(1);
  });

  it("takes a frozen weight's products, per call first and from a kept copy after, bit for bit", async () => {
    const ids = backend.numDataIds();
    const [x, w, bias, dy] = [
      seededTensor(1, [2, 128, 256]),
      seededTensor(2, [256, 64]),
      seededTensor(3, [64]),
      seededTensor(4, [256, 64]),
    ];
    const forward = () => tf.tidy(() => tf.fused.matMul({ a: x.reshape([256, 256]), b: w, bias }));
    const backward = () => tf.matMul(dy, w, false, true);
    const [wantForward, wantBackward] = [
      await reference(x, w, false, false, bias),
      await reference(dy, w, false, true),
    ];
    const before = products;
    expect(await read(forward())).toEqual(wantForward);
    expect(await read(backward())).toEqual(wantBackward);
    expect(keptCopies(backend).count).toBe(0);
    expect(await read(forward())).toEqual(wantForward);
    expect(await read(backward())).toEqual(wantBackward);
    expect(keptCopies(backend)).toEqual({ count: 2, bytes: 2 * 256 * 64 * 4 });
    expect(await read(tf.matMul(x, w))).toEqual(await reference(x, w, false, false));
    if (counted) expect(products - before).toBe(5);
    tf.dispose([x, w, bias, dy]);
    expect(keptCopies(backend)).toEqual({ count: 0, bytes: 0 });
    expect(backend.numDataIds()).toBe(ids);
  });

  it("keeps no copy of a trained weight, and takes Xᵀ·dY", async () => {
    const ids = backend.numDataIds();
    const initial = seededTensor(5, [96, 48]);
    const w = tf.variable(initial);
    initial.dispose();
    const x = seededTensor(6, [1024, 96]);
    for (let step = 0; step < 3; step++) {
      expect(await read(tf.matMul(x, w))).toEqual(await reference(x, w, false, false));
      const next = w.mul(0.5);
      w.assign(next);
      next.dispose();
    }
    expect(keptCopies(backend).count).toBe(0);
    const dy = seededTensor(7, [1024, 48]);
    const before = products;
    expect(await read(tf.matMul(x, dy, true, false))).toEqual(await reference(x, dy, true, false));
    if (counted) expect(products - before).toBe(1);
    tf.dispose([w, x, dy]);
    expect(backend.numDataIds()).toBe(ids);
  });
});
