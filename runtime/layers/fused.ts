/**
 * Memory-lean ops for training: each computes exactly the ops tfjs-layers would (same kernels in the same
 * order, so forward values are bit-identical), but as one custom-gradient op that keeps only what its
 * gradient needs. tfjs keeps every tensor a kernel saves for its gradient until the backward pass ends;
 * GELU's five kernels keep four [tokens, 1536] tensors per layer, Dense-then-bias keeps the pre-bias
 * output, and scale-mask-softmax keeps two score tensors besides the probabilities. On the bundled
 * example (32 x 64 tokens, 6 layers) that is hundreds of MB of the wasm heap, which never shrinks.
 * Where the backend has GELU kernels of its own (wasm: runtime/backend/wasm-gelu.ts, one SIMD pass each
 * way), GELU and its gradient run as those instead, equal to the op-by-op values within 3e-7; while a
 * gradient is being recorded the forward kernel also writes the slope Φ(x) + x·φ(x), which is kept instead
 * of x, so the backward pass is one multiply by it (bit for bit the gradient kernel's result). The
 * masked softmax's gradient runs as the backend's own kernel where it has one (wasm-softmax.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { GELU_GRAD_KERNEL, GELU_KERNEL, GELU_TRAIN_KERNEL } from "../backend/wasm-gelu.ts";
import { SOFTMAX_GRAD_KERNEL } from "../backend/wasm-softmax.ts";

const SQRT2 = Math.sqrt(2);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Φ(x) as tfjs-layers' `gelu` computes it, its temporaries freed at once. */
const normalCdf = (x: tf.Tensor): tf.Tensor => tf.tidy(() => tf.mul(0.5, tf.add(1, tf.erf(tf.div(x, SQRT2)))));

/** `f(a)`, with `a` disposed: chains of [tokens, 1536] tensors hold two at a time, not all of them. */
function then(a: tf.Tensor, f: (a: tf.Tensor) => tf.Tensor): tf.Tensor {
  try {
    return f(a);
  } finally {
    a.dispose();
  }
}

/** GELU's exact-erf forward, op for op as tfjs-layers' `gelu` activation computes it. */
function geluValue(x: tf.Tensor): tf.Tensor {
  return then(normalCdf(x), (cdf) => tf.mul(x, cdf));
}

/** True when the active backend has its own GELU kernels and `x` is float32. */
function geluKernels(x: tf.Tensor): boolean {
  return x.dtype === "float32" && tf.getKernel(GELU_KERNEL, tf.getBackend()) !== undefined;
}

/** True while the engine records a gradient tape outside any kernel (tfjs's `isTapeOn`). */
function recording(): boolean {
  return (tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn();
}

/** GELU that keeps its slope Φ(x) + x·φ(x), from the backend's training kernel, for the gradient dy·slope. */
const geluKeepingSlope = tf.customGrad((...args: unknown[]) => {
  const x = args[0] as tf.Tensor;
  const save = args[args.length - 1] as (t: tf.Tensor[]) => void;
  const [y, slope] = tf.engine().runKernel(GELU_TRAIN_KERNEL, { x }) as tf.Tensor[];
  save([slope!]);
  return { value: y!, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0]!) };
}) as (x: tf.Tensor) => tf.Tensor;

/** GELU (exact erf form) that keeps only its input for the gradient: Φ(x) + x·φ(x). */
const geluKeepingInput: (x: tf.Tensor) => tf.Tensor = tf.customGrad((...args: unknown[]) => {
  const x = args[0] as tf.Tensor;
  const save = args[args.length - 1] as (t: tf.Tensor[]) => void;
  save([x]);
  return {
    value: geluKernels(x) ? (tf.engine().runKernel(GELU_KERNEL, { x }) as tf.Tensor) : tf.tidy(() => geluValue(x)),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const s = saved[0]!;
      if (geluKernels(s)) return tf.engine().runKernel(GELU_GRAD_KERNEL, { x: s, dy }) as tf.Tensor;
      const cdf = normalCdf(s);
      const pdf = tf.tidy(() => tf.mul(tf.exp(tf.mul(tf.square(s), -0.5)), INV_SQRT_2PI));
      const sPdf = then(pdf, (p) => tf.mul(s, p));
      const slope = tf.add(cdf, sPdf);
      tf.dispose([cdf, sPdf]);
      return then(slope, (d) => tf.mul(dy, d));
    },
  };
}) as (x: tf.Tensor) => tf.Tensor;

/**
 * GELU (exact erf form) that keeps only its input for the gradient (Φ(x) + x·φ(x)), or, where the backend
 * has the training kernel and a gradient is being recorded, only that slope.
 */
export const fusedGelu = (x: tf.Tensor): tf.Tensor =>
  recording() && geluKernels(x) && tf.getKernel(GELU_TRAIN_KERNEL, tf.getBackend()) !== undefined
    ? geluKeepingSlope(x)
    : geluKeepingInput(x);

/** True when the backend has its own softmax-gradient kernel and both tensors are float32. */
function softmaxGradKernel(p: tf.Tensor, dy: tf.Tensor): boolean {
  return (
    p.dtype === "float32" && dy.dtype === "float32" && tf.getKernel(SOFTMAX_GRAD_KERNEL, tf.getBackend()) !== undefined
  );
}

/**
 * softmax(scores·scale + bias) over the last axis, keeping only the probabilities for the gradient
 * (scale·p·(dy − Σ dy·p)). `bias` (the padding mask's additive scores) gets no gradient.
 */
export function scaledMaskedSoftmax(scores: tf.Tensor, scale: number, bias: tf.Tensor): tf.Tensor {
  const op = tf.customGrad((...args: unknown[]) => {
    const s = args[0] as tf.Tensor;
    const save = args[args.length - 1] as (t: tf.Tensor[]) => void;
    const probs = tf.tidy(() => tf.softmax(tf.add(tf.mul(s, scale), bias)));
    save([probs]);
    return {
      value: probs,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const p = saved[0]!;
          if (softmaxGradKernel(p, dy)) {
            const attrs = { scale } as unknown as tf.NamedAttrMap;
            return tf.engine().runKernel(SOFTMAX_GRAD_KERNEL, { dy, probs: p }, attrs) as tf.Tensor;
          }
          const dot = tf.sum(tf.mul(dy, p), -1, true);
          return tf.mul(tf.mul(p, tf.sub(dy, dot)), scale);
        }),
    };
  });
  return op(scores) as tf.Tensor;
}

/** The registered class of tfjs's `gelu` activation. */
const StockGelu = tf.serialization.SerializationMap.getMap().classNameMap["gelu"]![0] as unknown as new () => {
  apply(x: tf.Tensor): tf.Tensor;
};

/**
 * The `gelu` activation with {@link fusedGelu}: registered in place of tfjs's class (same name, no
 * config), so `activation: "gelu"` layers in saved models and adapters use it.
 */
export class FusedGeluActivation extends StockGelu {
  static className = "gelu";

  override apply(x: tf.Tensor): tf.Tensor {
    return fusedGelu(x);
  }
}
tf.serialization.registerClass(
  FusedGeluActivation as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>,
);
