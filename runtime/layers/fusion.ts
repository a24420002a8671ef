/**
 * AdapterFusion (Pfeiffer et al. 2021) at one site: inputs `[h, y_1, ..., y_k]`, the site's output and
 * the outputs of k adapters applied to it. q = h Wq + bq, k_i = y_i Wk + bk, v_i = y_i Wv + bv,
 * a = softmax_i(q · k_i), output sum_i a_i v_i. Wq and bq start at zero (so a is uniform), Wk at a
 * truncated normal (std 0.02, so Wq receives a gradient), Wv at the identity, bk and bv at zero: at
 * step 0 the output is the mean of the adapters' outputs.
 */
import * as tf from "@tensorflow/tfjs";
import { denseLastAxis, truncatedNormal, type Kwargs, type Weight } from "./common.ts";

/** The std of the key projection's initial draw. */
export const FUSION_KEY_STD = 0.02;

/** Arguments of {@link AdapterFusion}. */
export interface FusionArgs {
  /** Feature size d of the site. */
  d: number;
  seed?: number;
  name?: string;
  trainable?: boolean;
}

/** Attention over adapters' outputs at one site, as AdapterFusion. */
export class AdapterFusion extends tf.layers.Layer {
  /** The tfjs class name used in saved models. */
  static className = "AdapterFusion";
  readonly d: number;
  readonly seed: number;
  private w: Record<"qK" | "qB" | "kK" | "kB" | "vK" | "vB", Weight> | null = null;

  constructor(args: FusionArgs) {
    super(args);
    this.d = args.d;
    this.seed = args.seed ?? 0;
  }

  override build(_inputShape: tf.Shape | tf.Shape[]): void {
    const { d } = this;
    const zeros = tf.initializers.zeros();
    this.w = {
      qK: this.addWeight("query/kernel", [d, d], "float32", zeros),
      qB: this.addWeight("query/bias", [d], "float32", zeros),
      kK: this.addWeight("key/kernel", [d, d], "float32", truncatedNormal(FUSION_KEY_STD, this.seed)),
      kB: this.addWeight("key/bias", [d], "float32", zeros),
      vK: this.addWeight("value/kernel", [d, d], "float32", tf.initializers.identity({ gain: 1 })),
      vB: this.addWeight("value/bias", [d], "float32", zeros),
    };
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (inputShape as tf.Shape[])[0] as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const w = this.w;
      if (w === null) throw new Error(`${this.name} is not built`);
      const [h, ...ys] = inputs as tf.Tensor[];
      if (h === undefined || ys.length < 2) throw new Error("AdapterFusion expects [h, y_1, ..., y_k] with k >= 2");
      const q = denseLastAxis(h, w.qK.read(), w.qB.read());
      const scores = ys.map((y) => tf.sum(tf.mul(q, denseLastAxis(y, w.kK.read(), w.kB.read())), -1, true));
      const attention = tf.softmax(tf.concat(scores, -1), -1);
      const parts = tf.split(attention, ys.length, -1);
      const values = ys.map((y, i) => tf.mul(parts[i]!, denseLastAxis(y, w.vK.read(), w.vB.read())));
      return tf.addN(values);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), d: this.d, seed: this.seed };
  }
}
tf.serialization.registerClass(AdapterFusion);
