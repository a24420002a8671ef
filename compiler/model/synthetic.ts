/**
 * Generated `model.json` documents (no weight bytes) in exactly the format tfjs-layers saves: a
 * BERT-style encoder with Hugging Face layer names, the same graph as the tiny-bert test fixture built
 * by `scripts/make-fixtures.ts`. For tests at real sizes (12 layers, d = 768) and the benchmarks.
 */

/** Sizes of a generated encoder. */
export interface EncoderSize {
  readonly layers: number;
  readonly d: number;
  readonly ff: number;
  readonly vocab: number;
  readonly seq: number;
}

type Json = Record<string, unknown>;

function node(name: string, className: string, config: Json, inbound: readonly string[]): Json {
  return {
    name,
    class_name: className,
    config: { ...config, name, trainable: true },
    inbound_nodes: inbound.length > 0 ? [inbound.map((n) => [n, 0, 0, {}])] : [],
  };
}

function w(name: string, shape: number[]): Json {
  return { name, shape, dtype: "float32" };
}

/** A generated encoder's model.json (topology and weights manifest). */
export function syntheticEncoder(size: EncoderSize): Json {
  const { layers: n, d, ff, vocab, seq } = size;
  const layers: Json[] = [];
  const weights: Json[] = [];
  const dense = (name: string, units: number, nIn: number, from: string, activation = "linear") => {
    layers.push(node(name, "Dense", { units, activation, use_bias: true }, [from]));
    weights.push(w(`${name}/kernel`, [nIn, units]), w(`${name}/bias`, [units]));
    return name;
  };
  const norm = (name: string, from: string) => {
    layers.push(node(name, "LayerNormalization", { axis: [2], epsilon: 0.001, center: true, scale: true }, [from]));
    weights.push(w(`${name}/gamma`, [d]), w(`${name}/beta`, [d]));
    return name;
  };
  const add = (name: string, from: string[]) => {
    layers.push(node(name, "Add", {}, from));
    return name;
  };
  layers.push(node("input_ids", "InputLayer", { batch_input_shape: [null, seq], dtype: "int32", sparse: false }, []));
  layers.push(node("embeddings.word_embeddings", "Embedding", { input_dim: vocab, output_dim: d }, ["input_ids"]));
  weights.push(w("embeddings.word_embeddings/embeddings", [vocab, d]));
  let h = norm("embeddings.LayerNorm", "embeddings.word_embeddings");
  for (let i = 0; i < n; i++) {
    const p = `encoder.layer.${i}`;
    const qkv = ["query", "key", "value"].map((x) => dense(`${p}.attention.self.${x}`, d, d, h));
    const ctx = add(`${p}.attention.self.context`, qkv);
    const ao = dense(`${p}.attention.output.dense`, d, d, ctx);
    const ln1 = norm(`${p}.attention.output.LayerNorm`, add(`${p}.attention.output.add`, [ao, h]));
    const inter = dense(`${p}.intermediate.dense`, ff, d, ln1, "relu");
    const out = dense(`${p}.output.dense`, d, ff, inter);
    h = norm(`${p}.output.LayerNorm`, add(`${p}.output.add`, [out, ln1]));
  }
  const pooled = dense("pooler.dense", d, d, h, "tanh");
  return {
    format: "layers-model",
    generatedBy: "adapt synthetic encoder",
    convertedBy: null,
    modelTopology: {
      class_name: "Model",
      config: {
        name: "synthetic_bert",
        layers,
        input_layers: [["input_ids", 0, 0]],
        output_layers: [
          [h, 0, 0],
          [pooled, 0, 0],
        ],
      },
      keras_version: "tfjs-layers 4.22.0",
      backend: "tensor_flow.js",
    },
    weightsManifest: [{ paths: ["weights.bin"], weights }],
  };
}
