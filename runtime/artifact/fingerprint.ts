/**
 * The fingerprint of a base model, recorded in adapter artifacts: a sha256 over its weight manifest
 * (names, shapes, dtypes, in model order) and a sha256 over its weight values. Two models with the
 * same architecture but different pretrained weights differ in the second.
 */
import { createHash } from "node:crypto";
import type * as tf from "@tensorflow/tfjs";

/** One entry of a weight manifest: name, shape, dtype. */
export type ManifestEntry = [name: string, shape: number[], dtype: string];

/** A base model's fingerprint. */
export interface Fingerprint {
  /** sha256 (hex) over the weight manifest. */
  structure: string;
  /** sha256 (hex) over the weight values (little-endian bytes, in manifest order). */
  values: string;
  manifest: ManifestEntry[];
}

/** The weight manifest of a model. */
export function manifestOf(model: tf.LayersModel): ManifestEntry[] {
  return model.weights.map((w) => [w.originalName, w.shape.map((n) => n ?? -1), w.dtype]);
}

/** The fingerprint of `model` (its weights are read asynchronously: webgpu cannot read synchronously). */
export async function fingerprint(model: tf.LayersModel): Promise<Fingerprint> {
  const manifest = manifestOf(model);
  const structure = createHash("sha256").update(JSON.stringify(manifest)).digest("hex");
  const values = createHash("sha256");
  const all = await Promise.all(model.weights.map((w) => w.read().data() as Promise<Float32Array | Int32Array>));
  for (const data of all) {
    values.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return { structure, values: values.digest("hex"), manifest };
}

/** The first difference between two manifests, as one sentence, or null when they are equal. */
export function manifestDifference(
  expected: readonly ManifestEntry[],
  actual: readonly ManifestEntry[],
): string | null {
  const have = new Map(actual.map(([n, s, d]) => [n, { s, d }]));
  const want = new Set(expected.map(([n]) => n));
  for (const [name, shape, dtype] of expected) {
    const got = have.get(name);
    if (got === undefined) return `the base model has no weight \`${name}\``;
    if (got.s.join(",") !== shape.join(",")) {
      return `weight \`${name}\` has shape [${got.s.join(", ")}] in the base model, but the artifact was trained on [${shape.join(", ")}]`;
    }
    if (got.d !== dtype)
      return `weight \`${name}\` has dtype ${got.d} in the base model, but the artifact was trained on ${dtype}`;
  }
  const extra = actual.find(([n]) => !want.has(n));
  if (extra !== undefined)
    return `the base model has weight \`${extra[0]}\`, which the artifact's base model did not have`;
  return null;
}
