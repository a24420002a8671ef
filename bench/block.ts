/**
 * A MiniLM-sized transformer block (hidden 384, 12 heads, feed-forward 1536) for benchmarks: its loss
 * on a fixed batch as a function of its weights, so every weight gets a gradient (full fine-tuning).
 */
import * as tf from "@tensorflow/tfjs";
import { seededTensor } from "../runtime/backend/compare.ts";

/** Batch, sequence length, hidden size, feed-forward size, heads. */
export const [B, T, H, F, HEADS] = [8, 64, 384, 1536, 12] as const;

/** The block's weights (q, k, v, output, feed-forward in and out), seeded. */
export function blockWeights(): tf.Tensor[] {
  const shapes = [
    [H, H],
    [H, H],
    [H, H],
    [H, H],
    [H, F],
    [F, H],
  ];
  return shapes.map((s, i) => tf.tidy(() => seededTensor(10 + i, s).mul(0.05)));
}

/** Mean squared output of self-attention plus feed-forward with residuals, for input `x` [B, T, H]. */
export function block(x: tf.Tensor3D, w: tf.Tensor[]): tf.Scalar {
  const [wq, wk, wv, wo, w1, w2] = w as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  const x2 = x.reshape([B * T, H]) as tf.Tensor2D;
  const heads = (m: tf.Tensor2D) =>
    tf
      .matMul(x2, m)
      .reshape([B, T, HEADS, H / HEADS])
      .transpose([0, 2, 1, 3]);
  const scores = tf.matMul(heads(wq), heads(wk), false, true).div(Math.sqrt(H / HEADS));
  const ctx = tf
    .matMul(tf.softmax(scores), heads(wv))
    .transpose([0, 2, 1, 3])
    .reshape([B * T, H]) as tf.Tensor2D;
  const h = tf.add(x2, tf.matMul(ctx, wo)) as tf.Tensor2D;
  const ff = tf.matMul(tf.relu(tf.matMul(h, w1)), w2);
  return tf.add(h, ff).square().mean();
}
