/**
 * The copying GatherV2 and Tile of wasm-copy.ts: on the wasm backend they give the stock kernels' results
 * bit for bit (float32 and int32; gathers of rows, of scalars, with repeated and multi-dimensional ids;
 * tiles of ranks 0-4 with reps of 0, 1 and uneven doublings); cases they leave to the stock kernels (axis 1,
 * bool) still run, and an out-of-range id still throws. Plain heap arrays: both helpers write only their
 * output words.
 */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { seededTensor } from "../testing.ts";
import { tryWasm } from "../wasm.ts";
import { gatherRowsInto, installCopies, tileInto, uninstallCopies } from "../wasm-copy.ts";

const wasm = await tryWasm();

/** `f`'s results with the stock kernels in place of the copying ones. */
async function withStock(f: () => tf.Tensor[]): Promise<number[][]> {
  const copying = ["GatherV2", "Tile"].map((n) => tf.getKernel(n, "wasm")!.kernelFunc);
  uninstallCopies();
  expect(["GatherV2", "Tile"].map((n) => tf.getKernel(n, "wasm")!.kernelFunc === copying.shift())).toEqual([
    false,
    false,
  ]);
  try {
    return await results(f);
  } finally {
    installCopies();
  }
}

async function results(f: () => tf.Tensor[]): Promise<number[][]> {
  const ts = f();
  const out = await Promise.all(ts.map(async (t) => [...(await t.data())]));
  const shapes = ts.map((t) => t.shape);
  tf.dispose(ts);
  return [...out, ...shapes];
}

describe("heap copies", () => {
  it("gather rows and tile without writing past the output", () => {
    const h = new Int32Array(64).fill(-1);
    h.set([10, 11, 20, 21, 30, 31], 0);
    expect(gatherRowsInto(h, 0, 3, 2, [2, 0, 2], 10)).toBe(true);
    expect([...h.subarray(9, 17)]).toEqual([-1, 30, 31, 10, 11, 30, 31, -1]);
    expect(gatherRowsInto(h, 0, 3, 2, [1, 3], 20)).toBe(false);
    expect(h[20]).toBe(-1);
    tileInto(h, 0, [1, 3], [3, 2], 30);
    expect([...h.subarray(29, 49)]).toEqual([-1, ...Array.from({ length: 6 }, () => [10, 11, 20]).flat(), -1]);
  });
});

describe.skipIf(!wasm.ok)("copying GatherV2 and Tile on wasm", () => {
  it("equal the stock kernels bit for bit", async () => {
    await tf.setBackend("wasm");
    installCopies();
    const table = seededTensor(1, [50, 7]);
    const ints = tf.tensor2d(
      [...Array(24).keys()].map((i) => i * 7 - 80),
      [6, 4],
      "int32",
    );
    const cases = (): tf.Tensor[] => [
      tf.gather(table, tf.tensor1d([3, 3, 0, 49, 12], "int32")),
      tf.gather(
        table,
        tf.tensor2d(
          [
            [1, 2, 3],
            [4, 4, 4],
          ],
          [2, 3],
          "int32",
        ),
      ),
      tf.gather(seededTensor(2, [9]), tf.tensor1d([8, 0, 5], "int32")),
      tf.gather(ints, tf.tensor1d([5, 1], "int32")),
      tf.gather(table, tf.tensor1d([1, 0, 4], "int32"), 1),
      tf.gather(tf.tensor1d([true, false, true], "bool"), tf.tensor1d([2, 1], "int32")),
      tf.tile(seededTensor(3, [1, 5, 3]), [7, 1, 1]),
      tf.tile(seededTensor(4, [2, 3, 1, 2]), [3, 2, 5, 1]),
      tf.tile(seededTensor(5, [4]), [13]),
      tf.tile(seededTensor(6, [2, 2]), [0, 3]),
      tf.tile(ints, [2, 3]),
      tf.tile(tf.tensor1d([true, false], "bool"), [3]),
    ];
    const ours = await results(cases);
    const stock = await withStock(cases);
    expect(ours).toEqual(stock);
    expect(() => tf.gather(table, tf.tensor1d([50], "int32"))).toThrow();
    tf.dispose([table, ints]);
  });
});
