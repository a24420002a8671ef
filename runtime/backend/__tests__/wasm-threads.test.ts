/**
 * The threaded SIMD wasm build in Node: it starts with the threads asked for, a training step on it
 * (loss, every gradient and one Adam update of a small attention + feed-forward block) equals the cpu
 * backend's within 1e-4, its workers do not keep the process alive, and a build that cannot start
 * falls back to the single-threaded one and says why.
 */
import * as tf from "@tensorflow/tfjs";
import * as wasmPackage from "@tensorflow/tfjs-backend-wasm";
import { describe, expect, it } from "vitest";
import { maxRelDiff, onBackend, read, seededTensor } from "../testing.ts";
import { tryWasm, wasmDir } from "../wasm.ts";
import {
  MAX_WASM_THREADS,
  registerThreadedWasm,
  threadedOutcome,
  threadsAvailable,
  wasmThreads,
  type WasmPackage,
} from "../wasm-threads.ts";

const pkg = wasmPackage as unknown as WasmPackage;
const THREADED_WASM = `${wasmDir()}tfjs-backend-wasm-threaded-simd.wasm`;

/** Loss, gradients and Adam-updated weights of one step of a tiny attention + GELU feed-forward block. */
async function trainingStep(): Promise<number[]> {
  const weights = [seededTensor(21, [48, 48]), seededTensor(22, [48, 96]), seededTensor(23, [96, 48])].map((w) =>
    tf.variable(w.mul(0.2)),
  );
  const x = seededTensor(24, [4, 16, 48]);
  const loss = (): tf.Scalar =>
    tf.tidy(() => {
      const [wq, w1, w2] = weights as [tf.Variable, tf.Variable, tf.Variable];
      const q = tf.matMul(x, wq.expandDims(0).tile([4, 1, 1]));
      const attention = tf.softmax(tf.matMul(q, x, false, true).div(Math.sqrt(48)));
      const h = tf.matMul(attention, x).add(x);
      const flat = h.reshape([64, 48]);
      const ff = tf.matMul(
        flat
          .matMul(w1)
          .mul(0.5)
          .mul(tf.erf(flat.matMul(w1).div(Math.SQRT2)).add(1)),
        w2,
      );
      return ff.square().mean() as tf.Scalar;
    });
  const optimizer = tf.train.adam(1e-2);
  const { value, grads } = tf.variableGrads(loss);
  optimizer.applyGradients(grads as unknown as Record<string, tf.Variable>);
  optimizer.dispose();
  return read(value, ...Object.values(grads), ...weights);
}

describe("wasm threads", () => {
  it("counts threads from ADAPT_WASM_THREADS or the cores, 1 to 8", () => {
    expect(wasmThreads({ ADAPT_WASM_THREADS: "3" })).toBe(3);
    expect(wasmThreads({ ADAPT_WASM_THREADS: "64" })).toBe(MAX_WASM_THREADS);
    expect(wasmThreads({ ADAPT_WASM_THREADS: "0" })).toBeGreaterThanOrEqual(1);
    expect(wasmThreads({ ADAPT_WASM_THREADS: "two" })).toBeGreaterThanOrEqual(1);
    expect(threadsAvailable()).toBe(true);
  });

  it("falls back to the single-threaded build when the threaded one cannot start", async () => {
    expect((await tryWasm(true, 1)).ok).toBe(true);
    registerThreadedWasm(pkg, 2, "/nonexistent/threaded.wasm");
    expect(await tf.setBackend("wasm")).toBe(true);
    expect(threadedOutcome()?.fallback).toMatch(/does not exist/);
    expect(tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).dataSync()[0])).toBe(3);
  });

  it("runs a training step on 2 threads equal to the cpu backend's within 1e-4", async () => {
    registerThreadedWasm(pkg, 2, THREADED_WASM);
    expect(await tf.setBackend("wasm")).toBe(true);
    expect(threadedOutcome()).toEqual({ threads: 2, xnnpackThreads: 2 });
    const module = (tf.backend() as unknown as { wasm: { PThread: { unusedWorkers: unknown[] } } }).wasm;
    expect(module.PThread.unusedWorkers).toHaveLength(0);
    const threaded = await trainingStep();
    const cpu = await onBackend("cpu", trainingStep);
    expect(maxRelDiff(threaded, cpu)).toBeLessThanOrEqual(1e-4);
  });
});
