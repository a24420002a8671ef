/**
 * The broadcasting LayerNormalization: the same function, gradients, config and class name as tfjs's own
 * layer, without the Tile whose gradient launched two kernels per repetition.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { BroadcastLayerNormalization } from "../layer-norm.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const absMax = (t: tf.Tensor): number => tf.max(tf.abs(t)).dataSync()[0] as number;

/** A stock layer and ours with the same random gamma and beta, built on `shape`. */
function pair(shape: number[], axis: number | number[]): [tf.layers.Layer, tf.layers.Layer, tf.Tensor] {
  const x = tf.randomNormal(shape, 0, 2, "float32", 5);
  const stock = tf.layers.layerNormalization({ axis, epsilon: 1e-6 });
  const ours = new BroadcastLayerNormalization({ axis, epsilon: 1e-6 });
  stock.apply(x);
  ours.apply(x);
  ours.setWeights(ours.getWeights().map((w, i) => tf.randomNormal(w.shape, 1, 0.5, "float32", 10 + i)));
  stock.setWeights(ours.getWeights());
  return [stock, ours, x];
}

/** Input and weight gradients of a weighted sum of the layer's output. */
function grads(layer: tf.layers.Layer, x: tf.Tensor): tf.Tensor[] {
  const w = tf.randomNormal(x.shape, 0, 1, "float32", 99);
  const f = (t: tf.Tensor): tf.Scalar => tf.sum(tf.mul(layer.apply(t) as tf.Tensor, w));
  const vars = layer.trainableWeights.map((v) => (v as unknown as { val: tf.Variable }).val);
  const { grads: g } = tf.variableGrads(() => f(x), vars);
  return [tf.grad(f)(x), ...vars.map((v) => g[v.name]!)];
}

describe("BroadcastLayerNormalization", () => {
  for (const [shape, axis] of [
    [[4, 7, 16], -1],
    [
      [3, 5, 6],
      [1, 2],
    ],
  ] as [number[], number | number[]][]) {
    it(`equals tfjs's LayerNormalization on [${shape}] over axis ${JSON.stringify(axis)}, forward and gradients`, () => {
      const [stock, ours, x] = pair(shape, axis);
      expect(absMax(tf.sub(ours.apply(x) as tf.Tensor, stock.apply(x) as tf.Tensor))).toBeLessThan(2e-6);
      const a = grads(stock, x);
      const b = grads(ours, x);
      a.forEach((g, i) => expect(absMax(tf.sub(g, b[i]!)) / Math.max(1, absMax(g))).toBeLessThan(2e-6));
    });
  }

  it("launches no Tile and no Slice, and a fraction of the stock layer's kernels", () => {
    const [stock, ours, x] = pair([8, 12, 16], -1);
    const kernels = (layer: tf.layers.Layer): string[] => {
      const engine = tf.engine() as unknown as { runKernel: (name: string, ...rest: unknown[]) => unknown };
      const run = engine.runKernel.bind(engine);
      const seen: string[] = [];
      engine.runKernel = (name, ...rest) => (seen.push(name), run(name, ...rest));
      try {
        grads(layer, x);
      } finally {
        engine.runKernel = run;
      }
      return seen;
    };
    const mine = kernels(ours);
    const theirs = kernels(stock);
    expect(mine.filter((k) => k === "Tile" || k === "Slice")).toEqual([]);
    expect(theirs.filter((k) => k === "Slice").length).toBeGreaterThan(8 * 12);
    expect(mine.length * 4).toBeLessThan(theirs.length);
  });

  it("keeps the class name and config, and is what a saved model's LayerNormalization loads as", async () => {
    const [stock, ours] = pair([2, 3, 4], -1);
    expect(ours.getClassName()).toBe("LayerNormalization");
    const { name: _a, ...mine } = ours.getConfig();
    const { name: _b, ...theirs } = stock.getConfig();
    expect(mine).toEqual(theirs);
    const model = tf.sequential({ layers: [tf.layers.layerNormalization({ inputShape: [3, 4] })] });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(
        async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } }),
      ),
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    expect(loaded.layers[0]).toBeInstanceOf(BroadcastLayerNormalization);
  });
});
