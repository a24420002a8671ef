/**
 * Batching with length bucketing: examples of similar length go in the same batch, and each batch is
 * padded only to its own longest example (with an attention mask), so short batches are not padded to
 * the longest sentence of the whole set. The order is a pure function of the random source given.
 */
import type { Encoded } from "./tokenizer.ts";

/** One padded batch, row-major `[size, length]`. */
export interface Batch {
  readonly ids: Int32Array;
  readonly mask: Int32Array;
  readonly typeIds: Int32Array;
  readonly labels: Float32Array;
  readonly size: number;
  readonly length: number;
  /** The examples' indices in the split. */
  readonly indices: readonly number[];
}

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/** How many batches one sorting window holds. */
export const BUCKET_WINDOW = 50;

/** Fisher-Yates shuffle in place with the given random source. */
export function shuffleInPlace<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * How batches are padded: with token `id`, to the longest example rounded up to a multiple of `multiple`
 * but never past `max`. A multiple above 1 bounds the number of distinct batch shapes, which matters on
 * backends that compile a kernel per shape (webgpu).
 */
export interface Padding {
  readonly id: number;
  readonly multiple: number;
  readonly max: number;
}

/** Padding to each batch's own longest example, with no rounding. */
export function exactPadding(id: number): Padding {
  return { id, multiple: 1, max: Number.POSITIVE_INFINITY };
}

/** The padded length of a batch whose longest example has `longest` tokens. */
export function paddedLength(longest: number, p: Padding): number {
  const rounded = Math.ceil(Math.max(1, longest) / p.multiple) * p.multiple;
  return Math.max(longest, 1, Math.min(rounded, p.max));
}

/** Pads the chosen examples into one batch. */
export function padBatch(
  encoded: readonly Encoded[],
  labels: ArrayLike<number>,
  indices: readonly number[],
  pad: Padding,
): Batch {
  const length = paddedLength(Math.max(0, ...indices.map((i) => encoded[i]!.ids.length)), pad);
  const padId = pad.id;
  const size = indices.length;
  const ids = new Int32Array(size * length).fill(padId);
  const mask = new Int32Array(size * length);
  const typeIds = new Int32Array(size * length);
  const out = new Float32Array(size);
  indices.forEach((ex, row) => {
    const e = encoded[ex]!;
    ids.set(e.ids, row * length);
    typeIds.set(e.typeIds, row * length);
    mask.fill(1, row * length, row * length + e.ids.length);
    out[row] = labels[ex]!;
  });
  return { ids, mask, typeIds, labels: out, size, length, indices };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The batches of one training epoch: shuffle, sort by length inside windows of `BUCKET_WINDOW`
 * batches, cut into batches, shuffle the batches.
 */
export function trainingOrder(lengths: readonly number[], batch: number, random: Random): number[][] {
  const order = shuffleInPlace(
    lengths.map((_, i) => i),
    random,
  );
  const batches: number[][] = [];
  for (const window of chunk(order, batch * BUCKET_WINDOW)) {
    window.sort((a, b) => lengths[a]! - lengths[b]! || a - b);
    batches.push(...chunk(window, batch));
  }
  return shuffleInPlace(batches, random);
}

/** The batches for evaluation: sorted by length, no randomness; `indices` restore the original order. */
export function evaluationOrder(lengths: readonly number[], batch: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  return chunk(order, batch);
}
