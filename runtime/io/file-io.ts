/**
 * File IO for TensorFlow.js LayersModels through files.ts (Node or a browser), without tfjs-node: a
 * `model.json` with its weights in one `weights.bin` beside it. Writes are atomic (temp file, then
 * rename), so a crash never leaves a half-written model behind. Importing this module registers the BERT
 * building blocks (runtime/bert/layers.ts), so models made by `adapt import hf` load wherever models are loaded.
 */
import "../bert/layers.ts";
import "../layers/layer-norm.ts";
import "../layers/fused.ts";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { modelJsonValidator } from "../../compiler/model/manifest-schema.ts";
import { parseSafeJson } from "../../compiler/model/safe-json.ts";
import { files, writeFileAtomic } from "./files.ts";
import { concatBytes } from "./bytes.ts";
import { bytesText, policy, readBytes, readText, READ_LIMITS } from "./read-file.ts";

/** The name of the weights file written beside `model.json`. */
export const WEIGHTS_FILE = "weights.bin";

/** Flattens tfjs's weight data (one buffer or several) into one buffer. */
export function weightBytes(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  return new Uint8Array(new tf.io.CompositeArrayBuffer(data).slice());
}

/** The `model.json` object for saved artifacts whose weights live in `weights.bin`. */
export function modelJsonFor(artifacts: tf.io.ModelArtifacts): tf.io.ModelJSON {
  const json: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology as object,
    format: artifacts.format ?? "layers-model",
    generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
  };
  if (artifacts.trainingConfig !== undefined) json.trainingConfig = artifacts.trainingConfig;
  if (artifacts.userDefinedMetadata !== undefined) json.userDefinedMetadata = artifacts.userDefinedMetadata;
  return json;
}

/** Writes `model.json` and `weights.bin` into `dir` (created if missing), each atomically. */
export function writeModelFiles(dir: string, json: tf.io.ModelJSON, weights: Uint8Array): void {
  files().makeFolder(dir);
  writeFileAtomic(join(dir, WEIGHTS_FILE), weights);
  writeFileAtomic(join(dir, "model.json"), JSON.stringify(json));
}

/** A tfjs save handler that writes `model.json` + `weights.bin` into the folder `dir`. */
export function fileSaveHandler(dir: string): tf.io.IOHandler {
  return {
    save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      const weights = weightBytes(artifacts.weightData);
      const json = modelJsonFor(artifacts);
      writeModelFiles(dir, json, weights);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: "JSON",
          modelTopologyBytes: JSON.stringify(artifacts.modelTopology).length,
          weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
          weightDataBytes: weights.byteLength,
        },
      };
    },
  };
}

/** A model file that cannot be loaded: the message names the file and the reason. */
export class ModelFileError extends Error {}

const DTYPE_BYTES: Readonly<Record<string, number>> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** The bytes a manifest entry declares (its quantized dtype when it has one). */
function declaredBytes(w: tf.io.WeightsManifestEntry): number {
  const dtype = w.quantization?.dtype ?? w.dtype;
  const size = typeof dtype === "string" && Object.hasOwn(DTYPE_BYTES, dtype) ? DTYPE_BYTES[dtype]! : undefined;
  if (size === undefined)
    throw new ModelFileError(`weight \`${w.name}\` has the unsupported dtype \`${String(dtype)}\``);
  const count = w.shape.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(count)) throw new ModelFileError(`weight \`${w.name}\` declares an impossible shape`);
  return count * size;
}

/**
 * Reads every weights file a manifest names and joins them in manifest order. Each path must lie inside
 * the model's folder (after resolving symlinks) and be a regular file; together they may hold exactly
 * the bytes the manifest declares, and are never read past that.
 */
function readWeights(dir: string, manifest: tf.io.WeightsManifestConfig): [tf.io.WeightsManifestEntry[], ArrayBuffer] {
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  const declared = manifest.reduce((n, g) => n + g.weights.reduce((m, w) => m + declaredBytes(w), 0), 0);
  if (declared > READ_LIMITS.weights)
    throw new ModelFileError(
      `the weights manifest declares ${bytesText(declared)}, more than the limit of ${bytesText(READ_LIMITS.weights)}`,
    );
  let left = declared;
  for (const group of manifest) {
    specs.push(...group.weights);
    for (const p of group.paths ?? []) {
      const read = readBytes(p, { maxBytes: left, within: dir });
      if (!read.ok) throw new ModelFileError(`the weights file \`${p}\` cannot be read: ${read.reason}`);
      parts.push(read.bytes);
      left -= read.bytes.byteLength;
    }
  }
  if (left !== 0)
    throw new ModelFileError(
      `the weights files hold ${bytesText(declared - left)} but the manifest declares ${bytesText(declared)}`,
    );
  return [specs, concatBytes(parts).buffer as ArrayBuffer];
}

/** Reads and checks `model.json`: bounded, a regular file, JSON without prototype keys or deep nesting. */
function readModelJson(modelJsonPath: string): tf.io.ModelJSON {
  const read = readText(modelJsonPath, policy("modelJson"));
  if (!read.ok) throw new ModelFileError(`\`${modelJsonPath}\` cannot be read: ${read.reason}`);
  const json = parseSafeJson(read.text);
  if (!json.ok) throw new ModelFileError(`\`${modelJsonPath}\` is malformed: ${json.reason}`);
  const validate = modelJsonValidator();
  if (!validate(json.value) || !Array.isArray((json.value as tf.io.ModelJSON).weightsManifest)) {
    const e = validate.errors?.[0];
    const why = e
      ? `${e.message ?? "invalid"}${e.instancePath ? ` at \`${e.instancePath}\`` : ""}`
      : "it has no weights manifest";
    throw new ModelFileError(`\`${modelJsonPath}\` is not a TensorFlow.js LayersModel: ${why}`);
  }
  return json.value as tf.io.ModelJSON;
}

/**
 * A tfjs load handler for a `model.json` on disk with its weights files beside it. Errors (a missing
 * file, bad JSON, a path outside the folder) surface as rejected promises ({@link ModelFileError});
 * callers turn them into diagnostics.
 */
export function fileLoadHandler(modelJsonPath: string): tf.io.IOHandler {
  return {
    load: async (): Promise<tf.io.ModelArtifacts> => {
      const json = readModelJson(modelJsonPath);
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => readWeights(dirname(modelJsonPath), manifest));
    },
  };
}

/** Loads a LayersModel from a `model.json` path on disk. */
export async function loadLayersModelFile(modelJsonPath: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(fileLoadHandler(modelJsonPath));
}
