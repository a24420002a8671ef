/**
 * The compiled plan (IR): plain JSON that the runtime executes. Its JSON Schema (`schema.ts`, published
 * as `specs/plan.schema.json`) is typed with ajv's `JSONSchemaType<CompiledPlan>` so the two cannot drift.
 * Lines and columns are 1-based; `endColumn` is exclusive.
 */

/** Where a surgery operation came from in the spec. */
export interface SourceRef {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

import type { AdapterKind, KindConfig } from "../kinds/registry.ts";

export type { AdapterKind, KindConfig } from "../kinds/registry.ts";

/** How adapter weights start. */
export interface InitIR {
  kind: "near_identity" | "zeros";
  /** std of the truncated normal (near_identity); 0 for zeros. */
  std: number;
}

/** One weight that the surgery adds. */
export interface AddedWeight {
  /** Full weight name in the adapted model, e.g. `adapter.houlsby.encoder.layer.3.output.dense/down/kernel`. */
  name: string;
  shape: number[];
}

/** Where an operation's adapter goes: around a layer's output or input, beside it, on its weights, or in its attention. */
export type OpPosition = "after" | "before" | "parallel" | "weight" | "attention";

/**
 * One surgery operation: a module or weight-level adapter at one site. The fields every kind has are
 * here; what only one kind has is its `config`, a union discriminated by `kind` (always `op.kind`),
 * defined by the kind's file in `compiler/kinds/`.
 */
export interface SurgeryOp {
  /** Unique, stable id: `<adapter>@<site>` (the added layer's name is `adapter.<adapter>.<site>`). */
  id: string;
  adapter: string;
  kind: AdapterKind;
  /** The matched layer's path. */
  site: string;
  position: OpPosition;
  /** The site's layer index (first integer path segment), or null. */
  layerIndex: number | null;
  /** The site's feature size (last dimension). */
  d: number;
  /** The value of the kind's size argument (bottleneck m, LoRA rank r, ...); null for kinds without one. */
  size: number | null;
  /** Parameters this operation adds (the sum of its weights' sizes). */
  params: number;
  weights: AddedWeight[];
  source: SourceRef;
  config: KindConfig;
  /** Where a loaded adapter (`use`) came from: its weights are the artifact's, under its own names there. */
  origin?: OriginIR;
}

/** The artifact a loaded operation comes from. */
export interface OriginIR {
  /** The `use` statement's name. */
  use: string;
  /** The artifact folder as written in the spec (relative to the spec's folder). */
  path: string;
  /** The adapter's name in the artifact (its weights are `adapter.<adapter>.<site>/...` there). */
  adapter: string;
}

/**
 * AdapterFusion (Pfeiffer et al. 2021) at one site: the members' outputs y_i (each from the site's output
 * h) are combined as sum_i softmax_i((h Wq + bq)·(y_i Wk + bk)) (y_i Wv + bv). Wq and bq start at zero
 * (uniform attention), Wk at a small normal draw, Wv at the identity, bk and bv at zero, so step 0
 * gives the mean of the members' outputs. 3d^2 + 3d parameters.
 */
export interface FusionOp {
  /** `<fusion>@<site>`; the fusion layer is `fusion.<fusion>.<site>`. */
  id: string;
  fusion: string;
  site: string;
  d: number;
  /** The ids of the member operations, in the statement's order. */
  members: string[];
  params: number;
  weights: AddedWeight[];
  source: SourceRef;
}

/** The rule that decided a weight's trainability; null means the default. */
export interface RuleRef {
  action: "train" | "freeze";
  line: number;
  text: string;
}

/** One weight of the base model, an adapter or the head, with its trainability. */
export interface WeightTrainability {
  name: string;
  /** base, adapter or head. */
  owner: "base" | "adapter" | "head";
  layer: string;
  shape: number[];
  params: number;
  trainable: boolean;
  rule: RuleRef | null;
}

/** The task head. */
export interface HeadIR {
  kind: "classifier" | "regression";
  /** 1 for regression. */
  classes: number;
  pool: "cls" | "mean";
  dropout: number;
  /** The layer whose output feeds the head (the encoder's last hidden state). */
  input: string;
  d: number;
  params: number;
  weights: AddedWeight[];
}

/** The training plan with every default filled in. */
export interface TrainingPlanIR {
  data: {
    train: string;
    validation: string | null;
    test: string | null;
    format: "jsonl" | "csv" | "tsv" | null;
    text: string;
    textPair: string | null;
    label: string;
  };
  optimizer: {
    kind: "adam" | "adamw" | "sgd";
    lr: number;
    beta1: number;
    beta2: number;
    epsilon: number;
    weightDecay: number;
    momentum: number;
  };
  schedule: { kind: "constant" | "linear"; warmup: number };
  epochs: number;
  batch: number;
  maxLength: number;
  metrics: string[];
  select: { split: "validation" | "train"; metric: string; mode: "max" | "min" } | null;
  seed: number;
  output: string;
  clipNorm: number | null;
  earlyStopping: { patience: number; minDelta: number } | null;
  checkpointEvery: number | null;
}

/** Totals of the parameter accounting. */
export interface TotalsIR {
  base: number;
  added: number;
  head: number;
  trainable: number;
  /** trainable / base * 100. */
  trainablePercent: number;
}

/** The whole compiled plan. */
export interface CompiledPlan {
  version: 1;
  spec: { file: string; sha256: string; text: string };
  model: {
    /** model.json path as given (relative to the spec's folder or absolute). */
    path: string;
    className: string;
    /** sha256 over the topology and the weights manifest (names, shapes, dtypes). */
    fingerprint: string;
    params: number;
  };
  operations: SurgeryOp[];
  weights: WeightTrainability[];
  head: HeadIR | null;
  plan: TrainingPlanIR | null;
  totals: TotalsIR;
  /** AdapterFusion sites (`fuse`); absent when there are none. */
  fusions?: FusionOp[];
}
