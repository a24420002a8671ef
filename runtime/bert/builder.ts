/**
 * Builds a BERT encoder as a functional tfjs LayersModel in which every Hugging Face `BertModel` module
 * is its own layer, named by its module path (`encoder.layer.3.attention.output.dense`, ...). Residual
 * adds are separate layers after the `.dense` layers, so an adapter inserted after
 * `encoder.layer.*.output.dense` sits before the residual add, as in Houlsby et al. (2019).
 *
 * Inputs: `input_ids`, `attention_mask`, `token_type_ids` (`[batch, seq]`, int32). Output: the last
 * hidden state `[batch, seq, hidden]` (and the pooled `[batch, hidden]` when `pooler` is asked for).
 */
import * as tf from "@tensorflow/tfjs";
import { BERT_ACTIVATIONS, type BertBuildOptions, type BertConfig } from "./config.ts";
import { FirstToken, MaskedSelfAttention, PositionEmbedding } from "./layers.ts";
import { layerNormalization } from "../layers/layer-norm.ts";

type Sym = tf.SymbolicTensor;

/** The names of the model's inputs, in the order of `model.inputs`. */
export const BERT_INPUTS = ["input_ids", "attention_mask", "token_type_ids"] as const;

function dense(name: string, units: number, activation?: "tanh"): tf.layers.Layer {
  return tf.layers.dense({ name, units, ...(activation ? { activation } : {}) });
}

function layerNorm(name: string, eps: number): tf.layers.Layer {
  return layerNormalization({ name, epsilon: eps });
}

function apply(layer: tf.layers.Layer, x: Sym | Sym[]): Sym {
  return layer.apply(x) as Sym;
}

function maybeDropout(x: Sym, name: string, c: BertConfig, o: BertBuildOptions): Sym {
  if (!o.dropout || c.hiddenDropoutProb <= 0) return x;
  return apply(tf.layers.dropout({ name, rate: c.hiddenDropoutProb }), x);
}

function embeddings(ids: Sym, types: Sym, c: BertConfig, o: BertBuildOptions): Sym {
  const word = apply(
    tf.layers.embedding({ name: "embeddings.word_embeddings", inputDim: c.vocabSize, outputDim: c.hiddenSize }),
    ids,
  );
  const pos = apply(
    new PositionEmbedding({
      name: "embeddings.position_embeddings",
      maxPositions: c.maxPositionEmbeddings,
      outputDim: c.hiddenSize,
    }),
    ids,
  );
  const type = apply(
    tf.layers.embedding({
      name: "embeddings.token_type_embeddings",
      inputDim: c.typeVocabSize,
      outputDim: c.hiddenSize,
    }),
    types,
  );
  const sum = apply(tf.layers.add({ name: "embeddings.sum" }), [word, pos, type]);
  const normed = apply(layerNorm("embeddings.LayerNorm", c.layerNormEps), sum);
  return maybeDropout(normed, "embeddings.dropout", c, o);
}

function attention(x: Sym, mask: Sym, p: string, c: BertConfig, o: BertBuildOptions): Sym {
  const q = apply(dense(`${p}.attention.self.query`, c.hiddenSize), x);
  const k = apply(dense(`${p}.attention.self.key`, c.hiddenSize), x);
  const v = apply(dense(`${p}.attention.self.value`, c.hiddenSize), x);
  const ctx = apply(new MaskedSelfAttention({ name: `${p}.attention.self.context`, numHeads: c.numAttentionHeads }), [
    q,
    k,
    v,
    mask,
  ]);
  const out = maybeDropout(
    apply(dense(`${p}.attention.output.dense`, c.hiddenSize), ctx),
    `${p}.attention.output.dropout`,
    c,
    o,
  );
  const res = apply(tf.layers.add({ name: `${p}.attention.output.residual` }), [out, x]);
  return apply(layerNorm(`${p}.attention.output.LayerNorm`, c.layerNormEps), res);
}

function feedForward(x: Sym, p: string, c: BertConfig, o: BertBuildOptions): Sym {
  const inter = apply(dense(`${p}.intermediate.dense`, c.intermediateSize), x);
  const act = apply(
    tf.layers.activation({ name: `${p}.intermediate.intermediate_act_fn`, activation: BERT_ACTIVATIONS[c.hiddenAct] }),
    inter,
  );
  const out = maybeDropout(apply(dense(`${p}.output.dense`, c.hiddenSize), act), `${p}.output.dropout`, c, o);
  const res = apply(tf.layers.add({ name: `${p}.output.residual` }), [out, x]);
  return apply(layerNorm(`${p}.output.LayerNorm`, c.layerNormEps), res);
}

/** Builds the encoder for `config` with freshly initialised weights (load real ones with `setWeights`). */
export function buildBert(config: BertConfig, options: BertBuildOptions = {}, name = "bert"): tf.LayersModel {
  const ids = tf.input({ name: "input_ids", shape: [null], dtype: "int32" });
  const mask = tf.input({ name: "attention_mask", shape: [null], dtype: "int32" });
  const types = tf.input({ name: "token_type_ids", shape: [null], dtype: "int32" });
  let h = embeddings(ids, types, config, options);
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const p = `encoder.layer.${i}`;
    h = feedForward(attention(h, mask, p, config, options), p, config, options);
  }
  const outputs: Sym[] = [h];
  if (options.pooler) {
    const first = apply(new FirstToken({ name: "pooler.first_token" }), h);
    outputs.push(apply(dense("pooler.dense", config.hiddenSize, "tanh"), first));
  }
  return tf.model({ name, inputs: [ids, mask, types], outputs });
}
