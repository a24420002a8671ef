/**
 * LayerNormalization that broadcasts instead of tiling. tfjs-layers 4.22 tiles the mean, the variance,
 * gamma and beta up to the input's shape before a fused batch norm, and Tile's gradient slices and adds
 * once per repetition: on a [32, 16, 384] batch that is 1,792 slice+add pairs per layer norm, about
 * 45,000 kernel launches per training step of a 6-layer encoder (90,000 dispatches on webgpu, where each
 * also holds a descriptor set until the step ends). This class computes the same function with
 * broadcasting ops, whose gradients reduce with one sum each. It keeps the class name, config and
 * weights, so it is registered in place of tfjs's class and saved models still load in stock tfjs.
 */
import * as tf from "@tensorflow/tfjs";
import type { Kwargs } from "./common.ts";

interface LayerNormFields {
  readonly axis: number | number[];
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly gamma: { read(): tf.Tensor } | null;
  readonly beta: { read(): tf.Tensor } | null;
}

type LayerClass = new (args: tf.serialization.ConfigDict) => tf.layers.Layer;

/** tfjs-layers' own LayerNormalization class (what its factory constructs). */
const Stock = Object.getPrototypeOf(tf.layers.layerNormalization({})).constructor as LayerClass;

/** LayerNormalization (same name, config and weights) computed by broadcasting; see the file comment. */
export class BroadcastLayerNormalization extends Stock {
  static className = "LayerNormalization";

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const f = this as unknown as LayerNormFields;
      const rank = x.rank;
      const axes = (Array.isArray(f.axis) ? f.axis : [f.axis]).map((a) => (a < 0 ? a + rank : a));
      const shape = x.shape.map((d, i) => (axes.includes(i) ? d : 1));
      const { mean, variance } = tf.moments(x, axes, true);
      let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, f.epsilon)));
      if (f.scale && f.gamma !== null) y = tf.mul(y, tf.reshape(f.gamma.read(), shape));
      if (f.center && f.beta !== null) y = tf.add(y, tf.reshape(f.beta.read(), shape));
      return y;
    });
  }
}
tf.serialization.registerClass(
  BroadcastLayerNormalization as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>,
);

/** A broadcasting layer norm over the last axis. */
export function layerNormalization(args: { name: string; epsilon: number; axis?: number }): tf.layers.Layer {
  return new BroadcastLayerNormalization({ axis: -1, ...args });
}
