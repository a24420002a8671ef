/**
 * Optimizers over an explicit list of trainable variables: adam and adamw (decoupled weight decay, never
 * on biases, LayerNorm or other 1-D weights, as BERT does) and sgd with momentum. Their state (moments,
 * step count) can be read out and written back exactly, which is what makes `--resume` bit-identical.
 */
import * as tf from "@tensorflow/tfjs";
import type { TrainingPlanIR } from "../../compiler/ir/types.ts";
import { ADAM_KERNEL, type AdamConstants } from "../backend/wasm-adam.ts";
import { GLOBAL_NORM_KERNEL } from "../backend/wasm-norm.ts";

/** The optimizer's settings (the plan's `optimizer` entry). */
export type OptimizerConfig = TrainingPlanIR["optimizer"];

/** True when a weight takes no weight decay: biases, LayerNorm weights and any other 1-D weight. */
export function noDecay(name: string, shape: readonly number[]): boolean {
  return shape.length <= 1 || /bias|layernorm|layer_norm|\/gamma|\/beta/i.test(name);
}

/**
 * True when the active backend has a one-pass Adam kernel (wasm: runtime/backend/wasm-adam.ts, the same
 * float32 operations in the same order) and the variable and its gradient are float32.
 */
function fusedAdam(v: tf.Tensor, g: tf.Tensor): boolean {
  return v.dtype === "float32" && g.dtype === "float32" && tf.getKernel(ADAM_KERNEL, tf.getBackend()) !== undefined;
}

/** An optimizer over fixed variables whose whole state is a list of float arrays plus a step count. */
export class Optimizer {
  /** Number of updates applied so far. */
  step = 0;
  private readonly slots: tf.Variable[][];

  constructor(
    readonly config: OptimizerConfig,
    private readonly vars: readonly tf.Variable[],
  ) {
    const count = config.kind === "sgd" ? (config.momentum > 0 ? 1 : 0) : 2;
    this.slots = vars.map((v) => Array.from({ length: count }, () => tf.variable(tf.zerosLike(v), false)));
  }

  /**
   * Applies one update with learning rate `lr`; `grads` are in the order of the variables, each taken
   * times `gradScale` (a float32 value: gradient clipping's factor, see `clipFactor`).
   */
  applyGradients(grads: readonly tf.Tensor[], lr: number, gradScale = 1): void {
    this.step += 1;
    const c = this.config;
    tf.tidy(() => {
      this.vars.forEach((v, i) => {
        const g = gradScale === 1 || fusedAdam(v, grads[i]!) ? grads[i]! : tf.mul(grads[i]!, gradScale);
        const slots = this.slots[i]!;
        if (c.kind === "sgd") return this.sgd(v, g, slots, lr);
        const [m, s] = slots as [tf.Variable, tf.Variable];
        const stepSize = (lr * Math.sqrt(1 - c.beta2 ** this.step)) / (1 - c.beta1 ** this.step);
        const decays = c.weightDecay > 0 && !noDecay(v.name, v.shape);
        if (fusedAdam(v, g)) {
          const constants: AdamConstants = {
            beta1: c.beta1,
            oneMinusBeta1: 1 - c.beta1,
            beta2: c.beta2,
            oneMinusBeta2: 1 - c.beta2,
            decay: decays ? 1 - lr * c.weightDecay : 1,
            stepSize,
            epsilon: c.epsilon,
            gradScale,
          };
          const attrs = constants as unknown as tf.NamedAttrMap;
          const [v2, m2, s2] = tf.engine().runKernel(ADAM_KERNEL, { v, g, m, s }, attrs) as tf.Tensor[];
          m.assign(m2!);
          s.assign(s2!);
          return v.assign(v2!);
        }
        m.assign(m.mul(c.beta1).add(g.mul(1 - c.beta1)));
        s.assign(s.mul(c.beta2).add(g.square().mul(1 - c.beta2)));
        let w: tf.Tensor = v;
        if (decays) w = w.mul(1 - lr * c.weightDecay);
        v.assign(w.sub(m.div(s.sqrt().add(c.epsilon)).mul(stepSize)));
      });
    });
  }

  private sgd(v: tf.Variable, g: tf.Tensor, slots: tf.Variable[], lr: number): void {
    const buf = slots[0];
    if (buf === undefined) return v.assign(v.sub(g.mul(lr)));
    buf.assign(buf.mul(this.config.momentum).add(g));
    v.assign(v.sub(buf.mul(lr)));
  }

  /** The state as plain arrays (one per slot per variable, in order), read asynchronously. */
  async getState(): Promise<{ step: number; slots: Float32Array[] }> {
    const step = this.step;
    const slots = await Promise.all(this.slots.flat().map((s) => s.data() as Promise<Float32Array>));
    return { step, slots };
  }

  /** Restores a state from `getState`; returns false when its layout differs. */
  setState(state: { step: number; slots: readonly Float32Array[] }): boolean {
    const flat = this.slots.flat();
    if (state.slots.length !== flat.length || flat.some((s, i) => s.size !== state.slots[i]!.length)) return false;
    flat.forEach((s, i) => s.assign(tf.tensor(state.slots[i]!, s.shape, "float32")));
    this.step = state.step;
    return true;
  }

  /** Frees the optimizer's state. */
  dispose(): void {
    this.slots.flat().forEach((s) => s.dispose());
  }
}

/**
 * Scales gradients so that their global L2 norm is at most `clipNorm` (no clipping when null), on the
 * device: each gradient is multiplied by `clipNorm / norm` when `norm > clipNorm`, else by 1 (a NaN norm
 * is not clipped). Returns the new gradients (the inputs themselves when `clipNorm` is null) and the norm
 * before clipping as a scalar tensor, which the caller reads (asynchronously) and disposes.
 */
export function clipByGlobalNorm(
  grads: readonly tf.Tensor[],
  clipNorm: number | null,
): { grads: tf.Tensor[]; norm: tf.Scalar } {
  const norm = tf.tidy(() => sumInOrder(grads.map((g) => g.square().sum())).sqrt() as tf.Scalar);
  if (clipNorm === null) return { grads: [...grads], norm };
  const clipped = tf.tidy(() => {
    const clip = tf.scalar(clipNorm, "float32");
    const scale = tf.where(tf.greater(norm, clip), tf.div(clip, norm), tf.onesLike(norm));
    return grads.map((g) => g.mul(scale));
  });
  return { grads: clipped, norm };
}

/**
 * Gradient clipping as a factor, on backends with a global-norm kernel (wasm: runtime/backend/wasm-norm.ts,
 * the same float32 operations in the same order): the gradients' global L2 norm as a scalar tensor (which
 * the caller reads and disposes) and the number `clipByGlobalNorm` multiplies each gradient by, read
 * synchronously (these backends can), for `Optimizer.applyGradients`'s `gradScale`. Undefined elsewhere.
 */
export function clipFactor(
  grads: readonly tf.Tensor[],
  clipNorm: number | null,
): { norm: tf.Scalar; scale: number } | undefined {
  const kernel = tf.getKernel(GLOBAL_NORM_KERNEL, tf.getBackend()) !== undefined;
  if (!kernel || grads.length === 0 || grads.some((g) => g.dtype !== "float32")) return undefined;
  const inputs = Object.fromEntries(grads.map((g, i) => [String(i), g]));
  const norm = tf.engine().runKernel(GLOBAL_NORM_KERNEL, inputs) as tf.Scalar;
  if (clipNorm === null) return { norm, scale: 1 };
  const value = norm.dataSync()[0]!;
  const clip = Math.fround(clipNorm);
  return { norm, scale: value > clip ? Math.fround(clip / value) : 1 };
}

/**
 * ((x0 + x1) + x2) + ...: what cpu's `tf.addN` computes, without its one kernel over every input (webgpu
 * binds each input as a storage buffer; past the device's limit, 8 on lavapipe, the result is garbage).
 */
function sumInOrder(xs: readonly tf.Tensor[]): tf.Tensor {
  return xs.slice(1).reduce((acc, x) => acc.add(x), xs[0]!);
}
