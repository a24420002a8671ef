/**
 * Seeded randomness. Every random choice of a run is a pure function of (seed, purpose, counter), so a
 * resumed run draws exactly what an uninterrupted one would without storing generator state: the data
 * order of epoch e comes from `derive(seed, "shuffle", e)`, dropout of step s from `derive(seed, "step", s)`.
 */

/** mulberry32: a small, fast 32-bit generator returning numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit seed derived from a base seed, a purpose and a counter (FNV-1a over the three, then mixed). */
export function derive(seed: number, purpose: string, counter: number): number {
  let h = 0x811c9dc5;
  const mix = (n: number): void => {
    h ^= n & 0xff;
    h = Math.imul(h, 0x01000193);
  };
  for (const n of [seed, counter]) for (let k = 0; k < 4; k++) mix(n >>> (8 * k));
  for (let i = 0; i < purpose.length; i++) mix(purpose.charCodeAt(i));
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/**
 * Runs `fn` with `Math.random` replaced by a generator seeded with `seed`. tfjs draws its default
 * initializer and dropout seeds from `Math.random`, so this makes weight initialisation and dropout
 * masks reproducible. Restores the original afterwards, also when `fn` throws.
 */
export function withSeededRandom<T>(seed: number, fn: () => T): T {
  const original = Math.random;
  Math.random = mulberry32(seed);
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}
