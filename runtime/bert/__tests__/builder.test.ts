import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { buildBert } from "../builder.ts";
import type { BertConfig } from "../config.ts";
import { fileSaveHandler, loadLayersModelFile } from "../../io/file-io.ts";

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

function feeds(ids: number[][], mask: number[][]): tf.Tensor[] {
  return [
    tf.tensor2d(ids, undefined, "int32"),
    tf.tensor2d(mask, undefined, "int32"),
    tf.zerosLike(tf.tensor2d(ids, undefined, "int32")),
  ];
}

function consumers(model: tf.LayersModel, name: string): string[] {
  return model.getLayer(name).outboundNodes.map((n) => n.outboundLayer.name);
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("buildBert", () => {
  it("gives every Hugging Face module its own layer", () => {
    const names = buildBert(CONFIG, { pooler: true }).layers.map((l) => l.name);
    const perLayer = [
      "attention.self.query",
      "attention.self.key",
      "attention.self.value",
      "attention.output.dense",
      "attention.output.LayerNorm",
      "intermediate.dense",
      "output.dense",
      "output.LayerNorm",
    ];
    const expected = [
      "embeddings.word_embeddings",
      "embeddings.position_embeddings",
      "embeddings.token_type_embeddings",
      "embeddings.LayerNorm",
      "pooler.dense",
      ...[0, 1].flatMap((i) => perLayer.map((p) => `encoder.layer.${i}.${p}`)),
    ];
    for (const n of expected) expect(names).toContain(n);
    expect(new Set(names).size).toBe(names.length);
  });

  it("feeds each .dense output straight into its residual add", () => {
    const model = buildBert(CONFIG);
    for (const i of [0, 1]) {
      expect(consumers(model, `encoder.layer.${i}.output.dense`)).toEqual([`encoder.layer.${i}.output.residual`]);
      expect(consumers(model, `encoder.layer.${i}.attention.output.dense`)).toEqual([
        `encoder.layer.${i}.attention.output.residual`,
      ]);
      expect(model.getLayer(`encoder.layer.${i}.output.residual`).getClassName()).toBe("Add");
    }
  });

  it("puts dropout between a .dense layer and its residual add only when asked", () => {
    const model = buildBert(CONFIG, { dropout: true });
    expect(consumers(model, "encoder.layer.0.output.dense")).toEqual(["encoder.layer.0.output.dropout"]);
  });

  it("ignores padded positions: appending padding leaves the real tokens' states unchanged", () => {
    const model = buildBert(CONFIG);
    const short = model.predict(feeds([[2, 5, 7]], [[1, 1, 1]])) as tf.Tensor;
    const long = model.predict(feeds([[2, 5, 7, 9, 4]], [[1, 1, 1, 0, 0]])) as tf.Tensor;
    const head = tf.slice(long, [0, 0, 0], [1, 3, CONFIG.hiddenSize]);
    expect(tf.max(tf.abs(tf.sub(short, head))).dataSync()[0]).toBeLessThan(1e-5);
    const unmasked = model.predict(feeds([[2, 5, 7, 9, 4]], [[1, 1, 1, 1, 1]])) as tf.Tensor;
    expect(
      tf.max(tf.abs(tf.sub(tf.slice(unmasked, [0, 0, 0], [1, 3, CONFIG.hiddenSize]), short))).dataSync()[0],
    ).toBeGreaterThan(1e-3);
  });

  it("saves and reloads through the file IO handler with identical outputs", async () => {
    const model = buildBert(CONFIG, { pooler: true });
    const dir = mkdtempSync(join(tmpdir(), "adapt-bert-"));
    await model.save(fileSaveHandler(dir));
    const again = await loadLayersModelFile(join(dir, "model.json"));
    const x = feeds(
      [
        [1, 2, 3, 4],
        [5, 6, 0, 0],
      ],
      [
        [1, 1, 1, 1],
        [1, 1, 0, 0],
      ],
    );
    const [a, b] = [model.predict(x), again.predict(x)] as tf.Tensor[][];
    expect(Array.from(a![0]!.dataSync())).toEqual(Array.from(b![0]!.dataSync()));
    expect(Array.from(a![1]!.dataSync())).toEqual(Array.from(b![1]!.dataSync()));
    expect(again.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
  });

  it("has a gradient for every weight, the position table included", () => {
    const model = buildBert(CONFIG);
    const x = feeds([[1, 2, 3, 4]], [[1, 1, 1, 0]]);
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(model.apply(x) as tf.Tensor)) as tf.Scalar);
    const names = Object.keys(grads);
    expect(names.length).toBe(model.trainableWeights.length);
    const pos = names.find((n) => n.startsWith("embeddings.position_embeddings"));
    expect(pos).toBeDefined();
    expect(tf.sum(tf.abs(grads[pos!]!)).dataSync()[0]).toBeGreaterThan(0);
  });
});
