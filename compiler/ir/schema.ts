/**
 * The JSON Schema of the compiled plan, typed as ajv's `JSONSchemaType<CompiledPlan>` so that it cannot
 * drift from `types.ts` (a missing or mistyped property fails to compile). Published as
 * `specs/plan.schema.json` by `scripts/gen-plan-schema.ts`; `validatePlan` checks every emitted plan, with
 * the validator that script generates as standalone code (compiled here only when it is stale).
 */
import type { JSONSchemaType, ValidateFunction } from "ajv";
import * as generated from "./plan-validator.generated.js";
import { standaloneOr } from "../schema/standalone.ts";
import { ADAPTER_KINDS, KINDS, type KindConfig } from "../kinds/registry.ts";
import type {
  AddedWeight,
  CompiledPlan,
  FusionOp,
  HeadIR,
  OriginIR,
  RuleRef,
  SourceRef,
  SurgeryOp,
  TotalsIR,
  TrainingPlanIR,
  WeightTrainability,
} from "./types.ts";

const nonNeg = { type: "integer", minimum: 0 } as const;
const shape = { type: "array", items: nonNeg } as const;
const NULL = { type: "null", nullable: true } as const;
const str = { type: "string" } as const;
const num = { type: "number" } as const;

const sourceRef: JSONSchemaType<SourceRef> = {
  type: "object",
  required: ["line", "column", "endLine", "endColumn"],
  additionalProperties: false,
  properties: {
    line: { type: "integer", minimum: 1 },
    column: { type: "integer", minimum: 1 },
    endLine: { type: "integer", minimum: 1 },
    endColumn: { type: "integer", minimum: 1 },
  },
};

const addedWeight: JSONSchemaType<AddedWeight> = {
  type: "object",
  required: ["name", "shape"],
  additionalProperties: false,
  properties: { name: str, shape },
};

const config: JSONSchemaType<KindConfig> = { oneOf: KINDS.map((k) => k.configSchema) };

const op: JSONSchemaType<SurgeryOp> = {
  type: "object",
  required: [
    "id",
    "adapter",
    "kind",
    "site",
    "position",
    "layerIndex",
    "d",
    "size",
    "params",
    "weights",
    "source",
    "config",
  ],
  additionalProperties: false,
  properties: {
    id: str,
    adapter: str,
    kind: { type: "string", enum: [...ADAPTER_KINDS] },
    site: str,
    position: { type: "string", enum: ["after", "before", "parallel", "weight", "attention"] },
    layerIndex: { anyOf: [{ type: "integer", minimum: 0 }, NULL] },
    d: { type: "integer", minimum: 1 },
    size: { anyOf: [{ type: "integer", minimum: 1 }, NULL] },
    params: nonNeg,
    weights: { type: "array", items: addedWeight },
    source: sourceRef,
    config,
    origin: {
      type: "object",
      nullable: true,
      required: ["use", "path", "adapter"],
      additionalProperties: false,
      properties: { use: str, path: str, adapter: str },
    } as JSONSchemaType<OriginIR> & { nullable: true },
  },
};

const fusion: JSONSchemaType<FusionOp> = {
  type: "object",
  required: ["id", "fusion", "site", "d", "members", "params", "weights", "source"],
  additionalProperties: false,
  properties: {
    id: str,
    fusion: str,
    site: str,
    d: { type: "integer", minimum: 1 },
    members: { type: "array", items: str, minItems: 2 },
    params: nonNeg,
    weights: { type: "array", items: addedWeight },
    source: sourceRef,
  },
};

const ruleRef: JSONSchemaType<RuleRef> = {
  type: "object",
  required: ["action", "line", "text"],
  additionalProperties: false,
  properties: {
    action: { type: "string", enum: ["train", "freeze"] },
    line: { type: "integer", minimum: 1 },
    text: str,
  },
};

const weight: JSONSchemaType<WeightTrainability> = {
  type: "object",
  required: ["name", "owner", "layer", "shape", "params", "trainable", "rule"],
  additionalProperties: false,
  properties: {
    name: str,
    owner: { type: "string", enum: ["base", "adapter", "head"] },
    layer: str,
    shape,
    params: nonNeg,
    trainable: { type: "boolean" },
    rule: { anyOf: [ruleRef, NULL] },
  },
};

const head: JSONSchemaType<HeadIR> = {
  type: "object",
  required: ["kind", "classes", "pool", "dropout", "input", "d", "params", "weights"],
  additionalProperties: false,
  properties: {
    kind: { type: "string", enum: ["classifier", "regression"] },
    classes: { type: "integer", minimum: 1 },
    pool: { type: "string", enum: ["cls", "mean"] },
    dropout: { type: "number", minimum: 0, maximum: 1 },
    input: str,
    d: { type: "integer", minimum: 1 },
    params: nonNeg,
    weights: { type: "array", items: addedWeight },
  },
};

const nullableStr = { anyOf: [str, NULL] } as const;

const plan: JSONSchemaType<TrainingPlanIR> = {
  type: "object",
  required: [
    "data",
    "optimizer",
    "schedule",
    "epochs",
    "batch",
    "maxLength",
    "metrics",
    "select",
    "seed",
    "output",
    "clipNorm",
    "earlyStopping",
    "checkpointEvery",
  ],
  additionalProperties: false,
  properties: {
    data: {
      type: "object",
      required: ["train", "validation", "test", "format", "text", "textPair", "label"],
      additionalProperties: false,
      properties: {
        train: str,
        validation: nullableStr,
        test: nullableStr,
        format: { anyOf: [{ type: "string", enum: ["jsonl", "csv", "tsv"] }, NULL] },
        text: str,
        textPair: nullableStr,
        label: str,
      },
    },
    optimizer: {
      type: "object",
      required: ["kind", "lr", "beta1", "beta2", "epsilon", "weightDecay", "momentum"],
      additionalProperties: false,
      properties: {
        kind: { type: "string", enum: ["adam", "adamw", "sgd"] },
        lr: num,
        beta1: num,
        beta2: num,
        epsilon: num,
        weightDecay: num,
        momentum: num,
      },
    },
    schedule: {
      type: "object",
      required: ["kind", "warmup"],
      additionalProperties: false,
      properties: { kind: { type: "string", enum: ["constant", "linear"] }, warmup: { type: "number", minimum: 0 } },
    },
    epochs: { type: "integer", minimum: 1 },
    batch: { type: "integer", minimum: 1 },
    maxLength: { type: "integer", minimum: 1 },
    metrics: { type: "array", items: str },
    select: {
      anyOf: [
        {
          type: "object",
          required: ["split", "metric", "mode"],
          additionalProperties: false,
          properties: {
            split: { type: "string", enum: ["validation", "train"] },
            metric: str,
            mode: { type: "string", enum: ["max", "min"] },
          },
        },
        NULL,
      ],
    },
    seed: { type: "integer" },
    output: str,
    clipNorm: { anyOf: [{ type: "number", exclusiveMinimum: 0 }, NULL] },
    earlyStopping: {
      anyOf: [
        {
          type: "object",
          required: ["patience", "minDelta"],
          additionalProperties: false,
          properties: { patience: { type: "integer", minimum: 1 }, minDelta: { type: "number", minimum: 0 } },
        },
        NULL,
      ],
    },
    checkpointEvery: { anyOf: [{ type: "integer", minimum: 1 }, NULL] },
  },
};

const totals: JSONSchemaType<TotalsIR> = {
  type: "object",
  required: ["base", "added", "head", "trainable", "trainablePercent"],
  additionalProperties: false,
  properties: {
    base: nonNeg,
    added: nonNeg,
    head: nonNeg,
    trainable: nonNeg,
    trainablePercent: { type: "number", minimum: 0 },
  },
};

/** The schema of `CompiledPlan`. */
export const PLAN_SCHEMA: JSONSchemaType<CompiledPlan> = {
  $id: "adapt/plan.schema.json",
  title: "adapt compiled plan",
  description:
    "The compiled plan (IR) of an .adapt spec: surgery operations, trainability, head, training plan and parameter totals.",
  type: "object",
  required: ["version", "spec", "model", "operations", "weights", "head", "plan", "totals"],
  additionalProperties: false,
  properties: {
    version: { type: "integer", const: 1 },
    spec: {
      type: "object",
      required: ["file", "sha256", "text"],
      additionalProperties: false,
      properties: { file: str, sha256: { type: "string", pattern: "^[0-9a-f]{64}$" }, text: str },
    },
    model: {
      type: "object",
      required: ["path", "className", "fingerprint", "params"],
      additionalProperties: false,
      properties: {
        path: str,
        className: str,
        fingerprint: { type: "string", pattern: "^[0-9a-f]{64}$" },
        params: nonNeg,
      },
    },
    operations: { type: "array", items: op },
    weights: { type: "array", items: weight },
    head: { anyOf: [head, NULL] },
    plan: { anyOf: [plan, NULL] },
    totals,
    fusions: { type: "array", items: fusion, nullable: true },
  },
};

let validator: ValidateFunction<CompiledPlan> | undefined;

/** The ajv options of the plan's validator (the generated one is built with them too). */
export const PLAN_AJV = { allErrors: true, strict: true } as const;

/** Validates a plan against the schema; returns the ajv error texts (empty when valid). */
export function validatePlan(plan: unknown): string[] {
  validator ??= standaloneOr(generated, PLAN_SCHEMA, PLAN_AJV);
  if (validator(plan))
    return plan.operations.flatMap((op, i) =>
      op.config.kind === op.kind ? [] : [`/operations/${i}/config/kind is not the operation's kind`],
    );
  return (validator.errors ?? []).slice(0, 20).map((e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"}`);
}

/** The schema as the JSON text published in `specs/plan.schema.json`. */
export function planSchemaJson(): string {
  const { $id: _id, ...rest } = PLAN_SCHEMA as unknown as Record<string, unknown>;
  const plain = JSON.stringify(
    { $schema: "http://json-schema.org/draft-07/schema#", $id: "plan.schema.json", ...rest },
    (k, v: unknown) => (k === "nullable" ? undefined : v),
    2,
  );
  return `${plain}\n`;
}
