import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { AdapterFusion } from "../fusion.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

function fused(layer: AdapterFusion, h: tf.Tensor, ys: tf.Tensor[]): number[] {
  const inputs = [h, ...ys].map((t) => tf.input({ shape: t.shape.slice(1) as number[] }));
  const model = tf.model({ inputs, outputs: layer.apply(inputs) as tf.SymbolicTensor });
  return [...((model.predict([h, ...ys]) as tf.Tensor).dataSync() as Float32Array)];
}

describe("AdapterFusion", () => {
  const h = tf.randomNormal([2, 3, 4], 0, 1, "float32", 1);
  const ys = [2, 3, 4].map((s) => tf.randomNormal([2, 3, 4], 0, 1, "float32", s));

  it("gives the mean of the adapters' outputs at step 0, for any h", () => {
    const got = fused(new AdapterFusion({ d: 4, seed: 7 }), h, ys);
    const mean = [...tf.div(tf.addN(ys), 3).dataSync()];
    got.forEach((v, i) => expect(v).toBeCloseTo(mean[i]!, 6));
  });

  it("attends by query and key: a trained query picks the adapter whose key matches", () => {
    const layer = new AdapterFusion({ d: 4, seed: 7 });
    fused(layer, h, ys);
    layer.setWeights(layer.getWeights().map((w, i) => (i === 0 ? tf.mul(tf.eye(4), 50) : i === 2 ? tf.eye(4) : w)));
    const x = tf.tensor3d([[[1, 0, 0, 0]]]);
    const a = tf.tensor3d([[[1, 0, 0, 0]]]);
    const b = tf.tensor3d([[[0, 1, 0, 0]]]);
    const got = fused(layer, x, [a, b]);
    [1, 0, 0, 0].forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
  });

  it("declares its weights with the shapes the IR counts (3d^2 + 3d) and reloads from its config", () => {
    const layer = new AdapterFusion({ d: 4, seed: 7, name: "fusion.mix.site" });
    fused(layer, h, ys);
    expect(layer.weights.map((w) => [w.originalName, w.shape])).toEqual([
      ["fusion.mix.site/query/kernel", [4, 4]],
      ["fusion.mix.site/query/bias", [4]],
      ["fusion.mix.site/key/kernel", [4, 4]],
      ["fusion.mix.site/key/bias", [4]],
      ["fusion.mix.site/value/kernel", [4, 4]],
      ["fusion.mix.site/value/bias", [4]],
    ]);
    const cls = tf.serialization.SerializationMap.getMap().classNameMap["AdapterFusion"];
    expect(cls).toBeDefined();
    expect(layer.getConfig()).toMatchObject({ d: 4, seed: 7 });
  });
});
