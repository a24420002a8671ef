/**
 * Prefix tuning (Li & Liang 2021): L learned rows of keys and values that an attention layer prepends
 * to its own (see `MaskedSelfAttention`'s optional fifth input). The layer reads the query (for the
 * batch size) and returns the rows `[batch, L, 2d]` (keys, then values). While training they are
 * P = up(tanh(down(E))) over an embedding E [L, d] (the reparameterisation, `hidden` > 0); with
 * `hidden` 0 the layer holds P itself (`keys_values`), as a loaded artifact does.
 */
import * as tf from "@tensorflow/tfjs";
import { denseLastAxis, truncatedNormal, type Kwargs, type Weight } from "./common.ts";

/** Arguments of {@link PrefixAdapter}. */
export interface PrefixArgs {
  /** The attention layer's feature size. */
  d: number;
  /** L, the number of prefix rows. */
  length: number;
  /** Width of the reparameterisation MLP; 0 for stored prefixes. */
  hidden: number;
  seed?: number;
  name?: string;
  trainable?: boolean;
}

/** The prefix rows of one attention layer. */
export class PrefixAdapter extends tf.layers.Layer {
  /** The tfjs class name used in saved models. */
  static className = "PrefixAdapter";
  readonly d: number;
  readonly length: number;
  readonly hidden: number;
  readonly seed: number;
  private w: { embedding: Weight; downK: Weight; downB: Weight; upK: Weight; upB: Weight } | null = null;
  private stored: Weight | null = null;

  constructor(args: PrefixArgs) {
    super(args);
    this.d = args.d;
    this.length = args.length;
    this.hidden = args.hidden;
    this.seed = args.seed ?? 0;
  }

  override build(_inputShape: tf.Shape | tf.Shape[]): void {
    const { d, length: L, hidden: h } = this;
    if (h === 0) {
      this.stored = this.addWeight("keys_values", [L, 2 * d], "float32", truncatedNormal(0.02, this.seed));
    } else {
      this.w = {
        embedding: this.addWeight("embedding", [L, d], "float32", truncatedNormal(1, this.seed)),
        downK: this.addWeight("mlp/down/kernel", [d, h], "float32", truncatedNormal(1 / Math.sqrt(d), this.seed + 1)),
        downB: this.addWeight("mlp/down/bias", [h], "float32", tf.initializers.zeros()),
        upK: this.addWeight("mlp/up/kernel", [h, 2 * d], "float32", truncatedNormal(0.02, this.seed + 2)),
        upB: this.addWeight("mlp/up/bias", [2 * d], "float32", tf.initializers.zeros()),
      };
    }
    this.built = true;
  }

  /** The prefix rows P [L, 2d]: stored, or computed by the reparameterisation MLP. */
  prefixRows(): tf.Tensor2D {
    if (this.stored !== null) return this.stored.read() as tf.Tensor2D;
    const w = this.w;
    if (w === null) throw new Error(`${this.name} is not built`);
    return denseLastAxis(
      tf.tanh(denseLastAxis(w.embedding.read(), w.downK.read(), w.downB.read())),
      w.upK.read(),
      w.upB.read(),
    ) as tf.Tensor2D;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const q = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [q[0] ?? null, this.length, 2 * this.d];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const q = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
      const batch = q.shape[0] as number;
      return tf.tile(tf.expandDims(this.prefixRows(), 0), [batch, 1, 1]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), d: this.d, length: this.length, hidden: this.hidden, seed: this.seed };
  }
}
tf.serialization.registerClass(PrefixAdapter);
