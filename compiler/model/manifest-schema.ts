/**
 * The JSON Schema a `model.json` must satisfy before the manifest reader looks inside: a tfjs
 * LayersModel file (Keras `Sequential` or functional topology plus the weights manifest).
 */
import type { ValidateFunction } from "ajv";
import * as generated from "./model-json-validator.generated.js";
import { standaloneOr } from "../schema/standalone.ts";

const name = { type: "string", minLength: 1, maxLength: 4096 };
const layer = {
  type: "object",
  required: ["class_name", "config"],
  properties: {
    class_name: name,
    name,
    config: { type: "object" },
    inbound_nodes: { type: "array", maxItems: 100000 },
  },
};
const layers = { type: "array", items: layer, maxItems: 1000000 };
const graph = {
  type: "object",
  required: ["class_name", "config"],
  properties: {
    class_name: name,
    config: {
      anyOf: [
        {
          type: "object",
          required: ["layers"],
          properties: {
            name: { type: "string" },
            layers,
            input_layers: { type: "array" },
            output_layers: { type: "array" },
          },
        },
        layers,
      ],
    },
  },
};
const weight = {
  type: "object",
  required: ["name", "shape", "dtype"],
  properties: {
    name,
    shape: { type: "array", items: { type: "integer", minimum: 0, maximum: 2147483647 }, maxItems: 16 },
    dtype: { type: "string", maxLength: 32 },
  },
};

/** The schema of a model.json file. */
export const MODEL_JSON_SCHEMA = {
  type: "object",
  required: ["modelTopology"],
  properties: {
    format: { type: "string" },
    modelTopology: {
      anyOf: [{ type: "object", required: ["model_config"], properties: { model_config: graph } }, graph],
    },
    weightsManifest: {
      type: "array",
      maxItems: 100000,
      items: {
        type: "object",
        required: ["weights"],
        properties: {
          paths: { type: "array", items: { type: "string" } },
          weights: { type: "array", items: weight, maxItems: 10000000 },
        },
      },
    },
  },
} as const;

/** The ajv options of model.json's validator (the generated one is built with them too). */
export const MODEL_JSON_AJV = { allErrors: false, strict: false } as const;

let compiled: ValidateFunction | undefined;

/** The validator: the standalone one that scripts/gen-plan-schema.ts generates (see standalone.ts). */
export function modelJsonValidator(): ValidateFunction {
  compiled ??= standaloneOr(generated, MODEL_JSON_SCHEMA, MODEL_JSON_AJV);
  return compiled;
}
