/**
 * The lean forward pass: on a BERT with dropout, the same outputs as `model.apply` bit for bit (training
 * and inference), with the lean backward the same gradients as tfjs's `variableGrads` over `model.apply`,
 * a lower peak of tensor memory, nothing left behind, and `model.apply` itself for a model it cannot follow.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { buildBert } from "../../bert/builder.ts";
import type { BertConfig } from "../../bert/config.ts";
import { leanVariableGrads } from "../backprop.ts";
import { leanApply } from "../forward.ts";
import { withSeededRandom } from "../prng.ts";

const CONFIG: BertConfig = {
  vocabSize: 30,
  hiddenSize: 16,
  numHiddenLayers: 2,
  numAttentionHeads: 4,
  intermediateSize: 24,
  hiddenAct: "gelu",
  maxPositionEmbeddings: 12,
  typeVocabSize: 2,
  layerNormEps: 1e-12,
  hiddenDropoutProb: 0.1,
};

let model: tf.LayersModel;
let feed: tf.Tensor[];

beforeAll(async () => {
  await tf.setBackend("cpu");
  model = withSeededRandom(3, () => buildBert(CONFIG, { dropout: true }));
  const ids = Array.from({ length: 4 }, (_, r) => Array.from({ length: 10 }, (_, c) => (r * 7 + c * 3) % 30));
  const mask = ids.map((row, r) => row.map((_, c) => (c < 10 - r ? 1 : 0)));
  feed = [tf.tensor2d(ids, undefined, "int32"), tf.tensor2d(mask, undefined, "int32"), tf.zeros([4, 10], "int32")];
});

const loss = (out: tf.Tensor): tf.Scalar => tf.mean(tf.square(out));
const vars = (): tf.Variable[] => model.trainableWeights.map((w) => w.read() as tf.Variable);

async function gradients(lean: boolean): Promise<Float32Array[]> {
  const r = withSeededRandom(5, () =>
    lean
      ? leanVariableGrads(() => loss(leanApply(model, feed, true)), vars())
      : tf.variableGrads(() => loss(model.apply(feed, { training: true }) as tf.Tensor), vars()),
  );
  const names = Object.keys(r.grads).sort();
  const out = [await r.value.data(), ...(await Promise.all(names.map((n) => r.grads[n]!.data())))];
  tf.dispose([r.value, ...Object.values(r.grads)]);
  return out as Float32Array[];
}

describe("leanApply", () => {
  it("gives model.apply's outputs bit for bit, with dropout on and off, and leaves nothing behind", async () => {
    for (const training of [true, false]) {
      const before = tf.memory().numTensors;
      const lean = withSeededRandom(9, () => leanApply(model, feed, training));
      const stock = withSeededRandom(9, () => model.apply(feed, { training }) as tf.Tensor);
      expect(await lean.data()).toEqual(await stock.data());
      tf.dispose([lean, stock]);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it("with the lean backward, gives variableGrads' gradients over model.apply bit for bit", async () => {
    const lean = await gradients(true);
    expect(lean.length).toBe(vars().length + 1);
    expect(lean).toEqual(await gradients(false));
  });

  it("holds less tensor memory at a training step's peak", async () => {
    const peak = async (lean: boolean): Promise<number> => (await tf.profile(() => gradients(lean))).peakBytes;
    expect(await peak(true)).toBeLessThan(0.7 * (await peak(false)));
  });

  it("runs a model with two outputs through model.apply", async () => {
    const x = tf.input({ shape: [3] });
    const a = tf.layers.dense({ units: 2, name: "a" }).apply(x) as tf.SymbolicTensor;
    const b = tf.layers.dense({ units: 2, name: "b" }).apply(x) as tf.SymbolicTensor;
    const two = tf.model({ inputs: x, outputs: [a, b] });
    const input = tf.ones([1, 3]);
    const out = leanApply(two, [input], false) as unknown as tf.Tensor[];
    expect(out).toHaveLength(2);
    tf.dispose([input, ...out]);
  });
});
