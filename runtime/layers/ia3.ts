/**
 * IA3 (Liu et al. 2022): a learned per-channel scale on a site's output, y = h ⊙ l, with l starting at 1
 * so step 0 is exactly the base model.
 */
import * as tf from "@tensorflow/tfjs";
import type { Kwargs, Weight } from "./common.ts";

/** Arguments of {@link Ia3Adapter}. */
export interface Ia3Args {
  /** The site's feature size. */
  d: number;
  name?: string;
  trainable?: boolean;
}

/** The IA3 scale on the last axis of its input. */
export class Ia3Adapter extends tf.layers.Layer {
  /** The tfjs class name used in saved models. */
  static className = "Ia3Adapter";
  readonly d: number;
  private scale: Weight | null = null;

  constructor(args: Ia3Args) {
    super(args);
    this.d = args.d;
  }

  override build(_inputShape: tf.Shape | tf.Shape[]): void {
    this.scale = this.addWeight("scale", [this.d], "float32", tf.initializers.ones());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return inputShape as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const h = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
      if (this.scale === null) throw new Error(`${this.name} is not built`);
      return tf.mul(h, this.scale.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), d: this.d };
  }
}
tf.serialization.registerClass(Ia3Adapter);
