/**
 * Output-shape inference from a layer's Keras config and its input shapes, for the layer classes that
 * common encoders use. Unknown classes fall back to the weights (a rank-2 kernel gives the last
 * dimension) and otherwise to null: unknown, an error only where a check needs the shape.
 */
import type { Shape, WeightInfo } from "./types.ts";

/** An own property of an untrusted object, or undefined. */
export function field(obj: unknown, key: string): unknown {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) return undefined;
  return Object.hasOwn(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
}

/** A shape from an untrusted array of integers and nulls, or null. */
export function asShape(v: unknown): Shape | null {
  if (!Array.isArray(v) || v.length > 16) return null;
  const out: (number | null)[] = [];
  for (const x of v) {
    if (x === null || x === -1) out.push(null);
    else if (typeof x === "number" && Number.isInteger(x) && x >= 0) out.push(x);
    else return null;
  }
  return out;
}

function posInt(v: unknown): number | null {
  return typeof v === "number" && Number.isInteger(v) && v > 0 ? v : null;
}

const SAME_SHAPE = new Set([
  "LayerNormalization",
  "BatchNormalization",
  "Dropout",
  "SpatialDropout1D",
  "GaussianNoise",
  "GaussianDropout",
  "AlphaDropout",
  "Activation",
  "ReLU",
  "LeakyReLU",
  "PReLU",
  "ELU",
  "ThresholdedReLU",
  "Softmax",
  "Masking",
  "Layer",
  "Identity",
  // adapt's own BERT layers (runtime/bert/layers.ts): attention keeps the query's shape.
  "MaskedSelfAttention",
]);
const MERGE = new Set(["Add", "Multiply", "Subtract", "Average", "Maximum", "Minimum"]);

type Infer = (config: unknown, inputs: readonly (Shape | null)[]) => Shape | null;

const INFER: ReadonlyMap<string, Infer> = new Map<string, Infer>([
  ["InputLayer", (c) => asShape(field(c, "batch_input_shape") ?? field(c, "batch_shape"))],
  ["Dense", (c, [x]) => withLast(x ?? null, posInt(field(c, "units")))],
  ["Embedding", (c, [x]) => (x ? [...x, posInt(field(c, "output_dim"))] : null)],
  ["Reshape", (c, [x]) => reshape(field(c, "target_shape"), x ?? null)],
  ["Flatten", (_c, [x]) => (x ? [x[0] ?? null, product(x.slice(1))] : null)],
  ["Concatenate", (c, xs) => concatenate(field(c, "axis"), xs)],
  ["GlobalAveragePooling1D", (_c, [x]) => (x && x.length === 3 ? [x[0] ?? null, x[2] ?? null] : null)],
  ["GlobalMaxPooling1D", (_c, [x]) => (x && x.length === 3 ? [x[0] ?? null, x[2] ?? null] : null)],
  ["Conv1D", (c, [x]) => withLast(x ?? null, posInt(field(c, "filters")))],
  ["PositionEmbedding", (c, [x]) => (x ? [...x, posInt(field(c, "output_dim") ?? field(c, "outputDim"))] : null)],
  ["FirstToken", (_c, [x]) => (x && x.length === 3 ? [x[0] ?? null, x[2] ?? null] : null)],
]);

/** Infers a layer's output shape (with the batch dimension first), or null when unknown. */
export function inferShape(
  className: string,
  config: unknown,
  inputs: readonly (Shape | null)[],
  weights: readonly WeightInfo[],
): Shape | null {
  const first = inputs[0] ?? null;
  if (SAME_SHAPE.has(className)) return first;
  if (MERGE.has(className)) return inputs.find((s) => s !== null) ?? null;
  const rule = INFER.get(className);
  const inferred = rule ? rule(config, inputs) : null;
  if (inferred !== null) return inferred;
  const own = asShape(field(config, "batch_input_shape"));
  if (own !== null && inputs.length === 0) return own;
  const kernel = weights.find((w) => w.name.endsWith("/kernel") && w.shape.length === 2);
  if (kernel && first) return withLast(first, kernel.shape[1] ?? null);
  if (kernel && own) return withLast(own, kernel.shape[1] ?? null);
  return null;
}

/** The input shape a Sequential model's first layer declares, with the batch dimension. */
export function declaredInputShape(config: unknown): Shape | null {
  const batch = asShape(field(config, "batch_input_shape"));
  if (batch !== null) return batch;
  const input = asShape(field(config, "input_shape"));
  return input === null ? null : [null, ...input];
}

function withLast(x: Shape | null, last: number | null): Shape | null {
  if (x === null || x.length === 0 || last === null) return null;
  return [...x.slice(0, -1), last];
}

function product(dims: Shape): number | null {
  let p = 1;
  for (const d of dims) {
    if (d === null) return null;
    p *= d;
  }
  return p;
}

function reshape(target: unknown, x: Shape | null): Shape | null {
  const t = asShape(target);
  if (t === null) return null;
  const unknowns = t.filter((d) => d === null).length;
  if (unknowns === 0) return [x?.[0] ?? null, ...t];
  const known = product(t.filter((d) => d !== null));
  const total = x ? product(x.slice(1)) : null;
  if (unknowns === 1 && known !== null && known > 0 && total !== null && total % known === 0) {
    return [x?.[0] ?? null, ...t.map((d) => (d === null ? total / known : d))];
  }
  return [x?.[0] ?? null, ...t];
}

function concatenate(axisValue: unknown, xs: readonly (Shape | null)[]): Shape | null {
  const first = xs[0];
  if (!first || xs.some((s) => s === null || s.length !== first.length)) return null;
  const raw = typeof axisValue === "number" && Number.isInteger(axisValue) ? axisValue : -1;
  const axis = raw < 0 ? first.length + raw : raw;
  if (axis < 0 || axis >= first.length) return null;
  let sum: number | null = 0;
  for (const s of xs) {
    const d = s![axis] ?? null;
    sum = sum === null || d === null ? null : sum + d;
  }
  return first.map((d, i) => (i === axis ? sum : d));
}
