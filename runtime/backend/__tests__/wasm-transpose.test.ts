/**
 * The row-copying Transpose of wasm-transpose.ts: a valid module for both memories; on the wasm backend
 * it gives the stock kernel's results bit for bit for attention's permutations (float32 and int32, rows
 * of 32, 5 and 6 floats, axes of size 1, empty tensors), and other permutations and bool still run.
 */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { seededTensor } from "../testing.ts";
import { tryWasm } from "../wasm.ts";
import { installRowTranspose, swapDims, transposeModuleBytes, uninstallRowTranspose } from "../wasm-transpose.ts";

const wasm = await tryWasm();

/** Each result's shape and values, as one string per tensor (a mismatch then prints short). */
async function results(f: () => tf.Tensor[]): Promise<string[]> {
  const ts = f();
  const out = await Promise.all(ts.map(async (t) => `${t.shape.join("x")}: ${[...(await t.data())].join(",")}`));
  tf.dispose(ts);
  return out;
}

describe("row-copying Transpose", () => {
  it("is a valid module for both memories and takes only attention's permutations", () => {
    expect(WebAssembly.validate(transposeModuleBytes(false))).toBe(true);
    expect(WebAssembly.validate(transposeModuleBytes(true))).toBe(true);
    expect(swapDims([2, 3, 4, 5], [0, 2, 1, 3])).toEqual([2, 3, 4, 5]);
    expect(swapDims([3, 4, 5], [1, 0, 2])).toEqual([1, 3, 4, 5]);
    expect(swapDims([2, 3, 4, 5], [0, 1, 3, 2])).toBeUndefined();
  });

  it.skipIf(!wasm.ok)("equals the stock kernel bit for bit on wasm", async () => {
    await tf.setBackend("wasm");
    installRowTranspose();
    const cases = (): tf.Tensor[] => [
      tf.transpose(seededTensor(1, [32, 15, 12, 32]), [0, 2, 1, 3]),
      tf.transpose(seededTensor(2, [2, 3, 4, 5]), [0, 2, 1, 3]),
      tf.transpose(seededTensor(3, [3, 4, 6]), [1, 0, 2]),
      tf.transpose(seededTensor(4, [2, 1, 3, 6]), [0, 2, 1, 3]),
      tf.transpose(tf.range(0, 120, 1, "int32").reshape([2, 3, 4, 5]), [0, 2, 1, 3]),
      tf.transpose(tf.zeros([2, 0, 3, 4]), [0, 2, 1, 3]),
      tf.transpose(seededTensor(5, [2, 3, 4, 5]), [0, 1, 3, 2]),
      tf.transpose(seededTensor(6, [2, 3, 4]), [2, 0, 1]),
      tf.transpose(tf.tensor3d([true, false, true, true, false, false], [2, 3, 1], "bool"), [1, 0, 2]),
    ];
    const ours = await results(cases);
    const wrapped = tf.getKernel("Transpose", "wasm")!.kernelFunc;
    uninstallRowTranspose();
    expect(tf.getKernel("Transpose", "wasm")!.kernelFunc).not.toBe(wrapped);
    const stock = await results(cases);
    installRowTranspose();
    expect(ours.map((r, i) => r === stock[i])).toEqual(ours.map(() => true));
  });
});
