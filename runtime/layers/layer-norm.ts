/**
 * LayerNormalization that broadcasts instead of tiling. tfjs-layers 4.22 tiles the mean, the variance,
 * gamma and beta up to the input's shape before a fused batch norm, and Tile's gradient slices and adds
 * once per repetition: on a [32, 16, 384] batch that is 1,792 slice+add pairs per layer norm, about
 * 45,000 kernel launches per training step of a 6-layer encoder (90,000 dispatches on webgpu, where each
 * also holds a descriptor set until the step ends). This class computes the same function with
 * broadcasting ops, whose gradients reduce with one sum each. It keeps the class name, config and
 * weights, so it is registered in place of tfjs's class and saved models still load in stock tfjs.
 * The forward ops run as one custom-gradient op that keeps only the normalized input and the inverse
 * deviation for its analytic gradient (the composed ops kept five input-sized tensors per layer norm).
 * Where the backend has layer-norm kernels of its own (wasm: runtime/backend/wasm-layer-norm.ts, one SIMD
 * pass each way) and the norm is over the last axis with γ and β, the op runs as those kernels.
 */
import * as tf from "@tensorflow/tfjs";
import type { Kwargs } from "./common.ts";
import { LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL } from "../backend/wasm-layer-norm.ts";

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
      const gamma = f.scale && f.gamma !== null ? f.gamma.read() : null;
      const beta = f.center && f.beta !== null ? f.beta.read() : null;
      if (gamma !== null && beta !== null && layerNormKernels(x, axes))
        return fusedNormalize(x, f.epsilon, gamma, beta);
      return normalize(x, axes, f.epsilon, gamma, beta);
    });
  }
}
/** True when the active backend has its own layer-norm kernels and `x` is float32, normalized over its last axis. */
function layerNormKernels(x: tf.Tensor, axes: number[]): boolean {
  return (
    x.dtype === "float32" &&
    axes.length === 1 &&
    axes[0] === x.rank - 1 &&
    tf.getKernel(LAYER_NORM_KERNEL, tf.getBackend()) !== undefined
  );
}

/** `normalize` over the last axis with γ and β as the backend's two layer-norm kernels. */
function fusedNormalize(x: tf.Tensor, epsilon: number, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const op = tf.customGrad((...args: unknown[]) => {
    const [input, g, b] = args as tf.Tensor[];
    const save = args[args.length - 1] as (t: tf.Tensor[]) => void;
    const attrs = { epsilon } as unknown as tf.NamedAttrMap;
    const [y, xhat, rstd] = tf
      .engine()
      .runKernel(LAYER_NORM_KERNEL, { x: input!, gamma: g!, beta: b! }, attrs) as tf.Tensor[];
    save([xhat!, rstd!]);
    return {
      value: y!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf
          .engine()
          .runKernel(LAYER_NORM_GRAD_KERNEL, { dy, xhat: saved[0]!, rstd: saved[1]!, gamma: g! }) as tf.Tensor[],
    };
  });
  return op(x, gamma, beta) as tf.Tensor;
}

/**
 * (x − mean)·rsqrt(var + ε)·γ + β over `axes`, by broadcasting, with the analytic gradient:
 * dx = r·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·γ, dγ = Σ dy·x̂, dβ = Σ dy (sums over the other axes).
 */
function normalize(
  x: tf.Tensor,
  axes: number[],
  epsilon: number,
  gamma: tf.Tensor | null,
  beta: tf.Tensor | null,
): tf.Tensor {
  const shape = x.shape.map((d, i) => (axes.includes(i) ? d : 1));
  const others = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const count = axes.reduce((n, a) => n * x.shape[a]!, 1);
  const params = [gamma, beta].filter((t): t is tf.Tensor => t !== null);
  const op = tf.customGrad((...args: unknown[]) => {
    const input = args[0] as tf.Tensor;
    const save = args[args.length - 1] as (t: tf.Tensor[]) => void;
    const [xhat, rstd] = tf.tidy(() => {
      const { mean, variance } = tf.moments(input, axes, true);
      const r = tf.rsqrt(tf.add(variance, epsilon));
      return [tf.mul(tf.sub(input, mean), r), r];
    });
    save([xhat!, rstd!]);
    const value = tf.tidy(() => {
      let y = xhat!;
      if (gamma !== null) y = tf.mul(y, tf.reshape(gamma, shape));
      if (beta !== null) y = tf.add(y, tf.reshape(beta, shape));
      return y === xhat ? tf.clone(y) : y;
    });
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] =>
      tf.tidy(() => {
        const [xh, r] = saved as [tf.Tensor, tf.Tensor];
        const g = gamma === null ? dy : tf.mul(dy, tf.reshape(gamma, shape));
        const meanG = tf.div(tf.sum(g, axes, true), count);
        const meanGX = tf.div(tf.sum(tf.mul(g, xh), axes, true), count);
        const dx = tf.mul(r, tf.sub(tf.sub(g, meanG), tf.mul(xh, meanGX)));
        const grads = [dx];
        if (gamma !== null)
          grads.push(tf.reshape(others.length > 0 ? tf.sum(tf.mul(dy, xh), others) : tf.mul(dy, xh), gamma.shape));
        if (beta !== null) grads.push(tf.reshape(others.length > 0 ? tf.sum(dy, others) : dy, beta.shape));
        return grads;
      });
    return { value, gradFunc };
  });
  return op(x, ...params) as tf.Tensor;
}

tf.serialization.registerClass(
  BroadcastLayerNormalization as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>,
);

/** A broadcasting layer norm over the last axis. */
export function layerNormalization(args: { name: string; epsilon: number; axis?: number }): tf.layers.Layer {
  return new BroadcastLayerNormalization({ axis: -1, ...args });
}
