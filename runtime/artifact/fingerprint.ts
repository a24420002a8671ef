/**
 * The fingerprint of a base model, recorded in adapter artifacts: a sha256 over its weight manifest
 * (names, shapes, dtypes, in model order) and a sha256 over its weight values. Two models with the
 * same architecture but different pretrained weights differ in the second.
 */
import type * as tf from "@tensorflow/tfjs";
import { concatBytes } from "../io/bytes.ts";

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
  const structure = await sha256Hex(new TextEncoder().encode(JSON.stringify(manifest)));
  const all = await Promise.all(model.weights.map((w) => w.read().data() as Promise<Float32Array | Int32Array>));
  const values = await sha256Hex(concatBytes(all.map((d) => new Uint8Array(d.buffer, d.byteOffset, d.byteLength))));
  return { structure, values, manifest };
}

/** SHA-256 as hex through WebCrypto (Node and browsers alike). */
async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
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
