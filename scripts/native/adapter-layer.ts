/**
 * A BERT encoder layer with two Houlsby adapters, written with plain tfjs ops, for the native backend's
 * smoke test and benchmark. bench/torch_step.py builds the same layer in PyTorch: self-attention (Q, K, V,
 * O), adapter, residual + LayerNorm, GELU feed-forward (d -> 4d -> d), adapter, residual + LayerNorm. The
 * attention and feed-forward weights are frozen; the adapters and LayerNorms train (Adam), as in Houlsby
 * et al. 2019. Weights and data come from a seeded generator, so every backend gets the same numbers.
 */
import * as tf from "@tensorflow/tfjs";

/** The sizes of the layer and of one batch. */
export interface LayerSizes {
  readonly hidden: number;
  readonly heads: number;
  readonly bottleneck: number;
  readonly seq: number;
  readonly batch: number;
}

/** The sizes of the bundled encoder (all-MiniLM-L6-v2: d=384, 12 heads) with batch 16 x 128 tokens. */
export const MINILM_LAYER: LayerSizes = { hidden: 384, heads: 12, bottleneck: 64, seq: 128, batch: 16 };

/** The layer's weights, a batch and its regression target. */
export interface AdapterLayer {
  readonly sizes: LayerSizes;
  readonly frozen: Readonly<Record<string, tf.Tensor>>;
  readonly trainable: Readonly<Record<string, tf.Variable>>;
  readonly x: tf.Tensor3D;
  readonly target: tf.Tensor3D;
}

/** A seeded uniform generator (mulberry32) giving floats in [-scale, scale). */
export function seededValues(seed: number, n: number, scale: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

function weight(seed: number, shape: number[], scale: number): tf.Tensor {
  return tf.tensor(
    seededValues(
      seed,
      shape.reduce((a, b) => a * b, 1),
      scale,
    ),
    shape,
  );
}

/** Builds the layer on the active backend; the same `seed` gives the same values on every backend. */
export function createAdapterLayer(sizes: LayerSizes, seed = 1): AdapterLayer {
  const { hidden: d, bottleneck: m, seq, batch } = sizes;
  const s = 1 / Math.sqrt(d);
  let k = seed * 1000;
  const w = (shape: number[], scale: number): tf.Tensor => weight(k++, shape, scale);
  const frozen: Record<string, tf.Tensor> = {};
  for (const n of ["q", "k", "v", "o"]) {
    frozen[`${n}W`] = w([d, d], s);
    frozen[`${n}b`] = w([d], 0.02);
  }
  frozen["ff1W"] = w([d, 4 * d], s);
  frozen["ff1b"] = w([4 * d], 0.02);
  frozen["ff2W"] = w([4 * d, d], 1 / Math.sqrt(4 * d));
  frozen["ff2b"] = w([d], 0.02);
  const trainable: Record<string, tf.Variable> = {};
  for (const a of ["ad1", "ad2"]) {
    trainable[`${a}DownW`] = tf.variable(w([d, m], 0.01), true, `${a}DownW`);
    trainable[`${a}DownB`] = tf.variable(tf.zeros([m]), true, `${a}DownB`);
    trainable[`${a}UpW`] = tf.variable(w([m, d], 0.01), true, `${a}UpW`);
    trainable[`${a}UpB`] = tf.variable(tf.zeros([d]), true, `${a}UpB`);
  }
  for (const ln of ["ln1", "ln2"]) {
    trainable[`${ln}G`] = tf.variable(tf.ones([d]), true, `${ln}G`);
    trainable[`${ln}B`] = tf.variable(tf.zeros([d]), true, `${ln}B`);
  }
  const x = w([batch, seq, d], 1) as tf.Tensor3D;
  const target = w([batch, seq, d], 1) as tf.Tensor3D;
  return { sizes, frozen, trainable, x, target };
}

function gelu(x: tf.Tensor): tf.Tensor {
  const c = Math.sqrt(2 / Math.PI);
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), c))));
}

function dense(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b);
}

function layerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-12))), g), b);
}

function adapter(h: tf.Tensor, v: Readonly<Record<string, tf.Variable>>, name: string): tf.Tensor {
  const down = gelu(dense(h, v[`${name}DownW`]!, v[`${name}DownB`]!));
  return tf.add(h, dense(down, v[`${name}UpW`]!, v[`${name}UpB`]!));
}

function attention(x2: tf.Tensor, layer: AdapterLayer): tf.Tensor {
  const { heads, hidden: d, seq, batch } = layer.sizes;
  const f = layer.frozen;
  const split = (t: tf.Tensor): tf.Tensor => t.reshape([batch, seq, heads, d / heads]).transpose([0, 2, 1, 3]);
  const q = split(dense(x2, f["qW"]!, f["qb"]!));
  const k = split(dense(x2, f["kW"]!, f["kb"]!));
  const v = split(dense(x2, f["vW"]!, f["vb"]!));
  const scores = tf.mul(tf.matMul(q as tf.Tensor4D, k as tf.Tensor4D, false, true), 1 / Math.sqrt(d / heads));
  const ctx = tf.matMul(tf.softmax(scores) as tf.Tensor4D, v as tf.Tensor4D);
  return dense(ctx.transpose([0, 2, 1, 3]).reshape([batch * seq, d]), f["oW"]!, f["ob"]!);
}

/** The layer's output for its batch, shape [batch * seq, hidden]. */
export function forward(layer: AdapterLayer): tf.Tensor {
  const { hidden: d, seq, batch } = layer.sizes;
  const f = layer.frozen;
  const v = layer.trainable;
  const x2 = layer.x.reshape([batch * seq, d]);
  const h1 = layerNorm(tf.add(x2, adapter(attention(x2, layer), v, "ad1")), v["ln1G"]!, v["ln1B"]!);
  const ff = dense(gelu(dense(h1, f["ff1W"]!, f["ff1b"]!)), f["ff2W"]!, f["ff2b"]!);
  return layerNorm(tf.add(h1, adapter(ff, v, "ad2")), v["ln2G"]!, v["ln2B"]!);
}

/** Mean squared error of the layer's output against its target. */
export function loss(layer: AdapterLayer): tf.Scalar {
  const { hidden: d, seq, batch } = layer.sizes;
  return tf.mean(tf.squaredDifference(forward(layer), layer.target.reshape([batch * seq, d])));
}

/** One Adam step on the trainable weights; returns the loss before the step. */
export function trainStep(layer: AdapterLayer, optimizer: tf.Optimizer): number {
  return tf.tidy(() => {
    const value = optimizer.minimize(() => loss(layer), true, Object.values(layer.trainable));
    return value === null ? Number.NaN : value.dataSync()[0]!;
  });
}

/** Frees the layer's tensors. */
export function disposeLayer(layer: AdapterLayer): void {
  tf.dispose([...Object.values(layer.frozen), ...Object.values(layer.trainable), layer.x, layer.target]);
}
