/**
 * The architecture of a BERT-family encoder, in the terms of a Hugging Face `config.json` (camel-cased).
 */

/** Activations a BERT config may name, mapped to tfjs-layers activation identifiers. */
export const BERT_ACTIVATIONS = {
  gelu: "gelu",
  gelu_new: "gelu_new",
  gelu_pytorch_tanh: "gelu_new",
  relu: "relu",
  tanh: "tanh",
} as const;

/** An activation name a BERT config may use. */
export type BertActivation = keyof typeof BERT_ACTIVATIONS;

/** The hyper-parameters that fix a BERT encoder's graph and weight shapes. */
export interface BertConfig {
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly numHiddenLayers: number;
  readonly numAttentionHeads: number;
  readonly intermediateSize: number;
  readonly hiddenAct: BertActivation;
  readonly maxPositionEmbeddings: number;
  readonly typeVocabSize: number;
  readonly layerNormEps: number;
  readonly hiddenDropoutProb: number;
}

/** How the builder shapes the graph beyond the checkpoint's own architecture. */
export interface BertBuildOptions {
  /** Add `pooler.dense` (tanh on the first token) as a second output. Default false. */
  readonly pooler?: boolean;
  /**
   * Add hidden-state dropout layers (`embeddings.dropout`, `...attention.output.dropout`,
   * `...output.dropout`) with the config's rate. Default false, so that an adapter inserted after an
   * `.output.dense` layer feeds the residual add directly, as in Houlsby et al. (2019).
   */
  readonly dropout?: boolean;
}
