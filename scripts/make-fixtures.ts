/**
 * Builds the small real TensorFlow.js LayersModels the compiler tests read: an MLP (Sequential), a
 * functional model with a residual Add, and a 12-layer BERT-style encoder whose layers carry Hugging
 * Face module names. Saves each as model.json + weights.bin under compiler/__tests__/fixtures/.
 * Run: `npx tsx scripts/make-fixtures.ts`. Deterministic (seeded initialisers).
 */
import * as tf from "@tensorflow/tfjs";
import { mkdirSync } from "node:fs";
import { atomicWrite } from "../runtime/io/atomic.ts";
import { join } from "node:path";

const OUT = new URL("../compiler/__tests__/fixtures/", import.meta.url).pathname;

function init(seed: number): ReturnType<typeof tf.initializers.randomNormal> {
  return tf.initializers.randomNormal({ mean: 0, stddev: 0.02, seed });
}

let seed = 1;
function dense(name: string, units: number, activation: "relu" | "tanh" | "linear" = "linear"): tf.layers.Layer {
  return tf.layers.dense({ units, activation, name, kernelInitializer: init(seed++) });
}

function apply(layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]): tf.SymbolicTensor {
  return layer.apply(x) as tf.SymbolicTensor;
}

/** A 3-layer MLP on 10 features. */
export function mlp(): tf.LayersModel {
  return tf.sequential({
    name: "mlp",
    layers: [
      tf.layers.dense({
        units: 16,
        activation: "relu",
        inputShape: [10],
        name: "fc1",
        kernelInitializer: init(seed++),
      }),
      tf.layers.dropout({ rate: 0.1, name: "drop" }),
      dense("fc2", 16, "relu"),
      dense("out", 4),
    ],
  });
}

/** A functional block with a residual connection: y = LN(x + dense2(relu(dense1(x)))). */
export function residual(): tf.LayersModel {
  const x = tf.input({ shape: [6, 12], name: "inputs" });
  const h = apply(dense("block.dense1", 24, "relu"), x);
  const y = apply(dense("block.dense2", 12), h);
  const s = apply(tf.layers.add({ name: "block.add" }), [y, x]);
  const out = apply(tf.layers.layerNormalization({ name: "block.LayerNorm" }), s);
  return tf.model({ inputs: x, outputs: out, name: "residual" });
}

/** A BERT-style encoder: embeddings, `layers` transformer-shaped blocks with HF names, a pooler. */
export function tinyBert(layers = 12, d = 8, ff = 32, vocab = 40, seq = 16): tf.LayersModel {
  const ids = tf.input({ shape: [seq], dtype: "int32", name: "input_ids" });
  let h = apply(
    tf.layers.embedding({
      inputDim: vocab,
      outputDim: d,
      name: "embeddings.word_embeddings",
      embeddingsInitializer: init(seed++),
    }),
    ids,
  );
  h = apply(tf.layers.layerNormalization({ name: "embeddings.LayerNorm" }), h);
  for (let i = 0; i < layers; i++) {
    const p = `encoder.layer.${i}`;
    const q = apply(dense(`${p}.attention.self.query`, d), h);
    const k = apply(dense(`${p}.attention.self.key`, d), h);
    const v = apply(dense(`${p}.attention.self.value`, d), h);
    const ctx = apply(tf.layers.add({ name: `${p}.attention.self.context` }), [q, k, v]);
    const ao = apply(dense(`${p}.attention.output.dense`, d), ctx);
    const a1 = apply(tf.layers.add({ name: `${p}.attention.output.add` }), [ao, h]);
    const ln1 = apply(tf.layers.layerNormalization({ name: `${p}.attention.output.LayerNorm` }), a1);
    const inter = apply(dense(`${p}.intermediate.dense`, ff, "relu"), ln1);
    const out = apply(dense(`${p}.output.dense`, d), inter);
    const a2 = apply(tf.layers.add({ name: `${p}.output.add` }), [out, ln1]);
    h = apply(tf.layers.layerNormalization({ name: `${p}.output.LayerNorm` }), a2);
  }
  const pooled = apply(dense("pooler.dense", d, "tanh"), h);
  return tf.model({ inputs: ids, outputs: [h, pooled], name: "tiny_bert" });
}

/** Saves a model as model.json + weights.bin in `dir`, each written atomically. */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (art) => {
      const json = {
        format: "layers-model",
        generatedBy: "TensorFlow.js tfjs-layers v4.22.0",
        convertedBy: null,
        modelTopology: art.modelTopology,
        weightsManifest: [{ paths: ["weights.bin"], weights: art.weightSpecs }],
      };
      const data = art.weightData;
      const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(0);
      atomicWrite(join(dir, "weights.bin"), bytes);
      atomicWrite(join(dir, "model.json"), `${JSON.stringify(json)}\n`);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
}

async function main(): Promise<void> {
  await tf.setBackend("cpu");
  await saveModel(mlp(), join(OUT, "mlp"));
  await saveModel(residual(), join(OUT, "residual"));
  await saveModel(tinyBert(), join(OUT, "tiny-bert"));
  process.stdout.write(`fixtures written to ${OUT}\n`);
}

await main();
