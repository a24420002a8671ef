/**
 * Numeric helpers shared by the backend tests and benchmarks (no test framework here): seeded inputs that
 * are the same on every backend, and a relative error measure.
 */
import * as tf from "@tensorflow/tfjs";

/** max |a - e| / max(1, |e|) over two arrays (Infinity when their lengths differ or a value is NaN). */
export function maxRelDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!));
    worst = Number.isNaN(d) ? Infinity : Math.max(worst, d);
  }
  return worst;
}

/** Deterministic values in [-1, 1) from a seed (the same on every backend). */
export function seeded(seed: number, size: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** A tensor of `shape` filled by `seeded`. */
export function seededTensor(seed: number, shape: number[]): tf.Tensor {
  return tf.tensor(
    seeded(
      seed,
      shape.reduce((a, b) => a * b, 1),
    ),
    shape,
  );
}
