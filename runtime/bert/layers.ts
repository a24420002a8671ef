/**
 * Transformer building blocks that tfjs-layers lacks: scaled dot-product self-attention with a padding
 * mask, learned position embeddings, and first-token selection (for the pooler). Each follows tfjs's
 * Layer pattern (static className, build/call/computeOutputShape, getConfig, registerClass), so models
 * built from them save and reload with `tf.loadLayersModel`. GELU (exact erf form) is the `gelu`
 * activation, which runtime/layers/fused.ts replaces with a memory-lean op of the same values.
 */
import * as tf from "@tensorflow/tfjs";
import { scaledMaskedSoftmax } from "../layers/fused.ts";

type Kwargs = Record<string, unknown>;
type Shape = tf.Shape;

/** The additive score for padded key positions (exp() of it underflows to exactly 0 in float32). */
export const MASKED_SCORE = -1e9;

/**
 * Keys, values and mask with prefix rows `[batch, L, 2·hidden]` (keys, then values; prefix tuning)
 * prepended: always attended to, so the mask gets L ones in front.
 */
function withPrefix(
  prefix: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  mask: tf.Tensor,
  hidden: number,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const [batch, length] = prefix.shape as [number, number, number];
  const [pk, pv] = tf.split(prefix, [hidden, hidden], 2);
  const ones = tf.ones([batch, length], "float32");
  return [
    tf.concat([pk as tf.Tensor, k], 1),
    tf.concat([pv as tf.Tensor, v], 1),
    tf.concat([ones, tf.cast(mask, "float32")], 1),
  ];
}

/** Arguments of {@link MaskedSelfAttention}. */
export interface MaskedSelfAttentionArgs {
  readonly numHeads: number;
  readonly name?: string;
  readonly trainable?: boolean;
}

/**
 * Multi-head scaled dot-product attention over already projected inputs `[query, key, value, mask]`
 * (`[batch, seq, hidden]` each, mask `[batch, seq]` with 1 for tokens and 0 for padding). Output: the
 * context `[batch, seq, hidden]` with the heads concatenated, as Hugging Face's `BertSelfAttention`
 * returns it. It holds no weights: the projections are separate Dense layers. A fifth input, rows of
 * extra keys and values `[batch, L, 2·hidden]`, is how surgery reaches the keys and values (prefix tuning).
 */
export class MaskedSelfAttention extends tf.layers.Layer {
  /** The tfjs class name used in saved models. */
  static className = "MaskedSelfAttention";
  readonly numHeads: number;

  constructor(args: MaskedSelfAttentionArgs) {
    super(args);
    this.numHeads = args.numHeads;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shapes = inputShape as Shape[];
    return shapes[0] as Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const [q, k0, v0, mask0, prefix] = inputs as tf.Tensor[];
      if (q === undefined || k0 === undefined || v0 === undefined || mask0 === undefined) {
        throw new Error("MaskedSelfAttention expects [query, key, value, mask] (and optional prefix rows)");
      }
      const [batch, seq, hidden] = q.shape as [number, number, number];
      const [k, v, mask] =
        prefix === undefined ? [k0, v0, tf.cast(mask0, "float32")] : withPrefix(prefix, k0, v0, mask0, hidden);
      const keys = k.shape[1] as number;
      const headSize = hidden / this.numHeads;
      const split = (t: tf.Tensor, n: number): tf.Tensor =>
        tf.transpose(tf.reshape(t, [batch, n, this.numHeads, headSize]), [0, 2, 1, 3]);
      const keep = tf.reshape(mask, [batch, 1, 1, keys]);
      const bias = tf.mul(tf.sub(1, keep), MASKED_SCORE);
      const scores = tf.matMul(split(q, seq), split(k, keys), false, true);
      const probs = scaledMaskedSoftmax(scores, 1 / Math.sqrt(headSize), bias);
      const context = tf.matMul(probs, split(v, keys));
      return tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch, seq, hidden]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), numHeads: this.numHeads };
  }
}
tf.serialization.registerClass(MaskedSelfAttention);

/** Arguments of {@link PositionEmbedding}. */
export interface PositionEmbeddingArgs {
  readonly maxPositions: number;
  readonly outputDim: number;
  readonly name?: string;
  readonly trainable?: boolean;
}

/**
 * Learned absolute position embeddings: for input ids `[batch, seq]` it returns rows `0..seq-1` of its
 * `embeddings` table, broadcast to `[batch, seq, outputDim]` (Hugging Face's default position ids).
 */
export class PositionEmbedding extends tf.layers.Layer {
  /** The tfjs class name used in saved models. */
  static className = "PositionEmbedding";
  readonly maxPositions: number;
  readonly outputDim: number;
  private table: tf.LayerVariable | null = null;

  constructor(args: PositionEmbeddingArgs) {
    super(args);
    this.maxPositions = args.maxPositions;
    this.outputDim = args.outputDim;
  }

  override build(_inputShape: Shape | Shape[]): void {
    this.table = this.addWeight(
      "embeddings",
      [this.maxPositions, this.outputDim],
      "float32",
      tf.initializers.truncatedNormal({ stddev: 0.02 }),
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    return [shape[0] ?? null, shape[1] ?? null, this.outputDim];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const ids = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
      const [batch, seq] = ids.shape as [number, number];
      if (this.table === null) throw new Error("PositionEmbedding called before build");
      if (seq > this.maxPositions) {
        throw new Error(`sequence length ${seq} exceeds the ${this.maxPositions} position embeddings`);
      }
      const rows = tf.slice(this.table.read(), [0, 0], [seq, this.outputDim]);
      return tf.tile(tf.expandDims(rows, 0), [batch, 1, 1]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), maxPositions: this.maxPositions, outputDim: this.outputDim };
  }
}
tf.serialization.registerClass(PositionEmbedding);

/** Selects the first position of a sequence: `[batch, seq, d]` to `[batch, d]` (BERT's [CLS] pooling). */
export class FirstToken extends tf.layers.Layer {
  /** The tfjs class name used in saved models. */
  static className = "FirstToken";

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = inputShape as Shape;
    return [shape[0] ?? null, shape[2] ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
      const [batch, , d] = x.shape as [number, number, number];
      return tf.reshape(tf.slice(x, [0, 0, 0], [batch, 1, d]), [batch, d]);
    });
  }
}
tf.serialization.registerClass(FirstToken);
