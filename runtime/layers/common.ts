/**
 * Pieces the adapter layers share: activations by name, the initialisations of the contract, and a
 * stable per-operation seed so an adapted model is reproducible.
 */
import * as tf from "@tensorflow/tfjs";

/** Keyword arguments tfjs passes to `call`. */
export type Kwargs = Record<string, unknown>;

/** A weight a layer added with `addWeight`. */
export type Weight = ReturnType<tf.layers.Layer["addWeight"]>;

/** The adapter activations of the language, mapped to tfjs activation identifiers. */
const ACTIVATION_IDS: Record<string, string> = {
  relu: "relu",
  gelu: "gelu",
  tanh: "tanh",
  swish: "swish",
  silu: "swish",
  sigmoid: "sigmoid",
  linear: "linear",
};

/** An elementwise activation applied to a concrete tensor. */
export type Activation = (x: tf.Tensor) => tf.Tensor;

/**
 * The activation named `name`: a language name (`silu`, `gelu`, ...) or any tfjs activation identifier
 * (`softmax`, `gelu_new`, ...). Throws on an unknown name (configs are checked before this runs).
 */
export function activationFn(name: string): Activation {
  const id = ACTIVATION_IDS[name] ?? name;
  if (id === "linear") return (x) => x;
  const layer = tf.layers.activation({ activation: id as "relu" });
  return (x) => layer.apply(x) as tf.Tensor;
}

/** The adapter initialisations of the contract (`near_identity(std)` or `zeros`). */
export interface InitConfig {
  kind: "near_identity" | "zeros";
  std: number;
}

/** An init read back from a saved config (tfjs camel-cases string values on load: `nearIdentity`). */
export function normalizeInit(init: { kind: string; std: number }): InitConfig {
  return { kind: init.kind === "zeros" ? "zeros" : "near_identity", std: init.std };
}

/** The std used for down-projections when the init is `zeros` (the paper's 0.01). */
export const DOWN_STD_FOR_ZEROS = 0.01;

/** A truncated normal (cut at two std, as tfjs's `truncatedNormal`) with a seed. */
export function truncatedNormal(std: number, seed: number): ReturnType<typeof tf.initializers.zeros> {
  return tf.initializers.truncatedNormal({ mean: 0, stddev: std, seed });
}

/** A 31-bit seed derived from a base seed and a string (FNV-1a), so each operation draws differently. */
export function seedFor(base: number, key: string): number {
  let h = 0x811c9dc5 ^ (base >>> 0);
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % 2147483647;
}

/** Applies a 2-D kernel to the last axis of `x` (any rank >= 2), with an optional bias. */
export function denseLastAxis(x: tf.Tensor, kernel: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  const nIn = kernel.shape[0] as number;
  const nOut = kernel.shape[1] as number;
  const lead = x.shape.slice(0, -1);
  const x2 = x.rank === 2 ? (x as tf.Tensor2D) : (tf.reshape(x, [-1, nIn]) as tf.Tensor2D);
  const y2 = tf.fused.matMul({ a: x2, b: kernel as tf.Tensor2D, bias });
  return x.rank === 2 ? y2 : tf.reshape(y2, [...lead, nOut]);
}
