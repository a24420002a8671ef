/**
 * The keys of `plan { }`: the form of each entry's value, and which entries `adapt run` needs.
 */
import {
  CHECKPOINT_ARGS,
  DATA_ARGS,
  EARLY_STOPPING_ARGS,
  OPTIMIZER_ARGS,
  SCHEDULE_ARGS,
  type ArgTable,
  type CtorTable,
  type ValueSpec,
} from "./args.ts";

/** The metrics of the paper's tables, plus the loss. */
export const METRICS = ["accuracy", "f1", "mcc", "pearson", "spearman", "loss"] as const;

/** Metrics that need class labels, and those that need a real-valued target. */
export const CLASSIFICATION_METRICS: readonly string[] = ["accuracy", "f1", "mcc"];
export const REGRESSION_METRICS: readonly string[] = ["pearson", "spearman"];

/** The form of a plan entry's value. */
export type PlanKeySpec =
  | { readonly form: "pairs"; readonly table: ArgTable; readonly doc: string; readonly example: string }
  | { readonly form: "ctor"; readonly table: CtorTable; readonly doc: string; readonly example: string }
  | { readonly form: "value"; readonly value: ValueSpec; readonly doc: string; readonly example: string }
  | { readonly form: "names"; readonly values: readonly string[]; readonly doc: string; readonly example: string }
  | { readonly form: "select"; readonly doc: string; readonly example: string };

/** Every plan key. */
export const PLAN_KEYS: Readonly<Record<string, PlanKeySpec>> = {
  data: {
    form: "pairs",
    table: DATA_ARGS,
    doc: "data files and column mapping",
    example: 'data train: "train.jsonl", validation: "dev.jsonl", text: "sentence", label: "label"',
  },
  optimizer: {
    form: "ctor",
    table: OPTIMIZER_ARGS,
    doc: "`adam`, `adamw` or `sgd` with its settings",
    example: "optimizer adamw(lr: 3e-4, weight_decay: 0.01)",
  },
  schedule: {
    form: "ctor",
    table: SCHEDULE_ARGS,
    doc: "learning-rate schedule (default `constant`)",
    example: "schedule linear(warmup: 0.1)",
  },
  epochs: { form: "value", value: { type: "int", min: 1 }, doc: "passes over the training data", example: "epochs 3" },
  batch: { form: "value", value: { type: "int", min: 1 }, doc: "examples per step", example: "batch 32" },
  max_length: {
    form: "value",
    value: { type: "int", min: 1 },
    doc: "tokens per example after truncation (default 128)",
    example: "max_length 128",
  },
  metric: {
    form: "names",
    values: METRICS,
    doc: "metrics computed at each evaluation (default accuracy, or pearson for regression)",
    example: "metric accuracy, f1",
  },
  select: {
    form: "select",
    doc: "which checkpoint the artifact keeps: `best by SPLIT.METRIC` or `last`",
    example: "select best by validation.accuracy",
  },
  seed: {
    form: "value",
    value: { type: "int", min: 0 },
    doc: "seed of initialisation, shuffling and dropout (default 42)",
    example: "seed 42",
  },
  output: {
    form: "value",
    value: { type: "string" },
    doc: "output folder, relative to the spec",
    example: 'output "runs/houlsby"',
  },
  clip_norm: {
    form: "value",
    value: { type: "number", min: 0 },
    doc: "clip gradients to this global norm",
    example: "clip_norm 1.0",
  },
  early_stopping: {
    form: "pairs",
    table: EARLY_STOPPING_ARGS,
    doc: "stop after `patience` evaluations without improvement",
    example: "early_stopping patience: 2",
  },
  checkpoint: {
    form: "pairs",
    table: CHECKPOINT_ARGS,
    doc: "checkpoint every N steps (always at each epoch's end)",
    example: "checkpoint every: 200",
  },
};

/** The entries that `adapt run` cannot do without. */
export const REQUIRED_PLAN_KEYS = ["data", "epochs", "batch", "optimizer", "output"] as const;
