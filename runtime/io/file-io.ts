/**
 * File-system IO for TensorFlow.js LayersModels in Node without tfjs-node: a `model.json` with its
 * weights in one `weights.bin` beside it. Writes are atomic (temp file, then rename), so a crash never
 * leaves a half-written model behind. Importing this module registers the BERT building blocks
 * (runtime/bert/layers.ts), so models made by `adapt import hf` load wherever models are loaded.
 */
import "../bert/layers.ts";
import "../layers/layer-norm.ts";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { atomicWrite } from "./atomic.ts";
import { concatBytes } from "./bytes.ts";

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
  mkdirSync(dir, { recursive: true });
  atomicWrite(join(dir, WEIGHTS_FILE), weights, { mkdir: true });
  atomicWrite(join(dir, "model.json"), JSON.stringify(json), { mkdir: true });
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

/** Reads every weights file a manifest names (relative to `dir`) and joins them in manifest order. */
function readWeights(dir: string, manifest: tf.io.WeightsManifestConfig): [tf.io.WeightsManifestEntry[], ArrayBuffer] {
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  for (const group of manifest) {
    specs.push(...group.weights);
    for (const p of group.paths) parts.push(new Uint8Array(readFileSync(resolve(dir, p))));
  }
  return [specs, concatBytes(parts).buffer as ArrayBuffer];
}

/**
 * A tfjs load handler for a `model.json` on disk with its weights files beside it. Errors (a missing
 * file, bad JSON) surface as rejected promises; callers turn them into diagnostics.
 */
export function fileLoadHandler(modelJsonPath: string): tf.io.IOHandler {
  return {
    load: async (): Promise<tf.io.ModelArtifacts> => {
      const json = JSON.parse(readFileSync(modelJsonPath, "utf8")) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => readWeights(dirname(modelJsonPath), manifest));
    },
  };
}

/** Loads a LayersModel from a `model.json` path on disk. */
export async function loadLayersModelFile(modelJsonPath: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(fileLoadHandler(modelJsonPath));
}
