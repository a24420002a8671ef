/**
 * The leading-axes Sum of wasm-sum.ts: a valid module for both memories; on the wasm backend it gives the
 * stock kernel's sums bit for bit (the bias-gradient shapes of the bundled example, column counts that
 * leave 0-3 after the last vector, keepDims, an axis given negative, a column of -0 and values of mixed
 * magnitude), and reductions it leaves to the stock kernel (inner axes, all axes, axes out of order,
 * int32) still run.
 */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { seededTensor } from "../testing.ts";
import { tryWasm } from "../wasm.ts";
import { installLeadingSum, leadingAxes, sumModuleBytes, uninstallLeadingSum } from "../wasm-sum.ts";

const wasm = await tryWasm();

async function results(f: () => tf.Tensor[]): Promise<unknown[]> {
  const ts = f();
  const out = await Promise.all(ts.map(async (t) => [t.shape, [...(await t.data())]]));
  tf.dispose(ts);
  return out;
}

describe("leading-axes Sum", () => {
  it("is a valid module for both memories and tells leading axes apart", () => {
    expect(WebAssembly.validate(sumModuleBytes(false))).toBe(true);
    expect(WebAssembly.validate(sumModuleBytes(true))).toBe(true);
    expect(leadingAxes([0, 1])).toBe(2);
    expect([leadingAxes([1, 0]), leadingAxes([0]), leadingAxes([1]), leadingAxes([0, 2])]).toEqual([0, 1, 0, 0]);
  });

  it.skipIf(!wasm.ok)("equals the stock kernel bit for bit on wasm", async () => {
    await tf.setBackend("wasm");
    installLeadingSum();
    const wide = tf.mul(seededTensor(7, [40, 9]), tf.pow(10, tf.range(0, 9).mod(5).mul(3)));
    const negZero = tf.fill([6, 5], -0);
    const cases = (): tf.Tensor[] => [
      tf.sum(seededTensor(1, [32, 64, 384]), [0, 1]),
      tf.sum(seededTensor(2, [1, 2048, 16]), [0, 1]),
      tf.sum(seededTensor(3, [7, 5, 3]), 0, true),
      tf.sum(seededTensor(4, [3, 4, 5, 6]), [1, 0]),
      tf.sum(seededTensor(5, [2, 11]), -2),
      tf.sum(seededTensor(6, [9, 2, 2]), [0, 1], true),
      tf.sum(wide, 0),
      tf.sum(negZero, 0),
      tf.sum(seededTensor(8, [4, 6]), 1),
      tf.sum(seededTensor(9, [4, 6])),
      tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2], "int32"), 0),
    ];
    const ours = await results(cases);
    const wrapped = tf.getKernel("Sum", "wasm")!.kernelFunc;
    uninstallLeadingSum();
    expect(tf.getKernel("Sum", "wasm")!.kernelFunc).not.toBe(wrapped);
    const stock = await results(cases);
    installLeadingSum();
    expect(ours).toEqual(stock);
    expect(Object.is((ours[7] as number[][])[1]![0], 0)).toBe(true);
    tf.dispose([wide, negZero]);
  });
});
