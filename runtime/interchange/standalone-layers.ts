/**
 * The layer classes a merged BERT model still needs that stock TensorFlow.js lacks (masked multi-head
 * attention, learned position embeddings, first-token and masked-mean pooling), as the text of a small
 * self-contained ES module that `adapt merge` writes beside the model: `registerLayers(tf)` registers
 * them with the caller's tfjs and imports nothing, so the merged folder loads with `@tensorflow/tfjs`
 * alone. The classes compute what runtime/bert/layers.ts and runtime/train/head.ts compute (a test
 * compares outputs in a child process that imports only tfjs and this module).
 */

/** The class names the module registers. */
export const STANDALONE_CLASSES: readonly string[] = [
  "MaskedSelfAttention",
  "PositionEmbedding",
  "FirstToken",
  "MaskedMeanPool",
];

/** The file name of the module in a merged folder. */
export const STANDALONE_MODULE = "adapt-layers.mjs";

/** The module's text. */
export const STANDALONE_LAYERS_JS = `// Layer classes for a model merged by \`adapt merge\`, for stock TensorFlow.js (no dependency on adapt).
// Usage:
//   import * as tf from "@tensorflow/tfjs";
//   import { registerLayers } from "./${STANDALONE_MODULE}";
//   registerLayers(tf);
//   const model = await tf.loadLayersModel(...); // inputs: input_ids, attention_mask, token_type_ids (int32)

/** Registers MaskedSelfAttention, PositionEmbedding, FirstToken and MaskedMeanPool with \`tf\`. */
export function registerLayers(tf) {
  class MaskedSelfAttention extends tf.layers.Layer {
    constructor(args) {
      super(args);
      this.numHeads = args.numHeads;
    }
    computeOutputShape(shapes) {
      return shapes[0];
    }
    call(inputs) {
      return tf.tidy(() => {
        const [q, k, v, mask] = inputs;
        const [batch, seq, hidden] = q.shape;
        const headSize = hidden / this.numHeads;
        const split = (t) => tf.transpose(tf.reshape(t, [batch, seq, this.numHeads, headSize]), [0, 2, 1, 3]);
        const keep = tf.reshape(tf.cast(mask, "float32"), [batch, 1, 1, seq]);
        const scores = tf.mul(tf.matMul(split(q), split(k), false, true), 1 / Math.sqrt(headSize));
        const probs = tf.softmax(tf.add(scores, tf.mul(tf.sub(1, keep), -1e9)));
        const context = tf.matMul(probs, split(v));
        return tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch, seq, hidden]);
      });
    }
    getConfig() {
      return { ...super.getConfig(), numHeads: this.numHeads };
    }
  }
  MaskedSelfAttention.className = "MaskedSelfAttention";

  class PositionEmbedding extends tf.layers.Layer {
    constructor(args) {
      super(args);
      this.maxPositions = args.maxPositions;
      this.outputDim = args.outputDim;
    }
    build() {
      this.table = this.addWeight("embeddings", [this.maxPositions, this.outputDim], "float32", tf.initializers.zeros());
      this.built = true;
    }
    computeOutputShape(shape) {
      return [shape[0], shape[1], this.outputDim];
    }
    call(inputs) {
      return tf.tidy(() => {
        const ids = Array.isArray(inputs) ? inputs[0] : inputs;
        const [batch, seq] = ids.shape;
        if (seq > this.maxPositions) throw new Error(\`sequence length \${seq} exceeds \${this.maxPositions} positions\`);
        const rows = tf.slice(this.table.read(), [0, 0], [seq, this.outputDim]);
        return tf.tile(tf.expandDims(rows, 0), [batch, 1, 1]);
      });
    }
    getConfig() {
      return { ...super.getConfig(), maxPositions: this.maxPositions, outputDim: this.outputDim };
    }
  }
  PositionEmbedding.className = "PositionEmbedding";

  class FirstToken extends tf.layers.Layer {
    computeOutputShape(shape) {
      return [shape[0], shape[2]];
    }
    call(inputs) {
      return tf.tidy(() => {
        const x = Array.isArray(inputs) ? inputs[0] : inputs;
        const [batch, , d] = x.shape;
        return tf.reshape(tf.slice(x, [0, 0, 0], [batch, 1, d]), [batch, d]);
      });
    }
  }
  FirstToken.className = "FirstToken";

  class MaskedMeanPool extends tf.layers.Layer {
    computeOutputShape(shapes) {
      return [shapes[0][0], shapes[0][2]];
    }
    call(inputs) {
      return tf.tidy(() => {
        const [x, mask] = inputs;
        const m = tf.expandDims(tf.cast(mask, "float32"), 2);
        return tf.div(tf.sum(tf.mul(x, m), 1), tf.maximum(tf.sum(m, 1), 1));
      });
    }
  }
  MaskedMeanPool.className = "MaskedMeanPool";

  for (const c of [MaskedSelfAttention, PositionEmbedding, FirstToken, MaskedMeanPool]) tf.serialization.registerClass(c);
}
`;
