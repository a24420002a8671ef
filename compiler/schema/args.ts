/**
 * The argument tables of the constructors of the language (heads, inits, optimizers, schedules, and
 * the `key: value` plan entries; each adapter kind's table is in its file in `compiler/kinds/`): each
 * key's type, default and whether it is required. One table serves the checks (unknown or missing keys, wrong types), the compiler (defaults filled in),
 * the editor (completion of keys) and the reference.
 */

/** The type of an argument value. */
export type ValueSpec =
  | { readonly type: "int"; readonly min?: number }
  | { readonly type: "number"; readonly min?: number; readonly max?: number }
  | { readonly type: "string" }
  | { readonly type: "enum"; readonly values: readonly string[] }
  | { readonly type: "ctor"; readonly table: CtorTable };

/** One argument of a constructor. */
export interface ArgSpec {
  readonly value: ValueSpec;
  readonly required?: boolean;
  /** The value used when the argument is absent (JSON). */
  readonly default?: number | string | ResolvedCtor;
  readonly doc: string;
}

/** The arguments of one constructor, by key. */
export type ArgTable = Readonly<Record<string, ArgSpec>>;

/** Constructors by name (e.g. the init kinds), each with its argument table. */
export type CtorTable = Readonly<Record<string, ArgTable>>;

/** A constructor with its arguments resolved: `{ kind: "near_identity", std: 0.01 }`. */
export interface ResolvedCtor {
  readonly kind: string;
  readonly [key: string]: number | string | ResolvedCtor;
}

/** The TypeScript type of a value of spec `V`. */
export type ValueOf<V extends ValueSpec> = V extends { readonly type: "int" | "number" }
  ? number
  : V extends { readonly type: "string" }
    ? string
    : V extends { readonly type: "enum"; readonly values: readonly (infer E)[] }
      ? E
      : ResolvedCtor;

/** Resolved arguments typed from an argument table: present when they have a default or are required. */
export type ResolvedOf<T extends ArgTable> = {
  readonly [K in keyof T]: T[K] extends { readonly default: unknown } | { readonly required: true }
    ? ValueOf<T[K]["value"]>
    : ValueOf<T[K]["value"]> | undefined;
};

/** The adapter nonlinearities. */
export const ACTIVATIONS = ["relu", "gelu", "tanh", "swish", "silu", "sigmoid", "linear"] as const;

/** Initialisations of adapter weights. */
export const INIT_KINDS: CtorTable = {
  near_identity: {
    std: { value: { type: "number", min: 0 }, default: 0.01, doc: "std of the truncated-normal draw (cut at two std)" },
  },
  zeros: {},
};

/** Head kinds and their arguments. */
export const HEAD_ARGS = {
  classifier: {
    classes: { value: { type: "int", min: 2 }, required: true, doc: "number of classes" },
    pool: { value: { type: "enum", values: ["cls", "mean"] }, default: "cls", doc: "how the sequence is pooled" },
    dropout: { value: { type: "number", min: 0, max: 1 }, default: 0.1, doc: "dropout before the output layer" },
  },
  regression: {
    pool: { value: { type: "enum", values: ["cls", "mean"] }, default: "cls", doc: "how the sequence is pooled" },
    dropout: { value: { type: "number", min: 0, max: 1 }, default: 0.1, doc: "dropout before the output layer" },
  },
} as const satisfies CtorTable;

const lr: ArgSpec = { value: { type: "number", min: 0 }, default: 1e-3, doc: "learning rate" };
const adamArgs: ArgTable = {
  lr,
  beta1: { value: { type: "number", min: 0, max: 1 }, default: 0.9, doc: "first-moment decay" },
  beta2: { value: { type: "number", min: 0, max: 1 }, default: 0.999, doc: "second-moment decay" },
  epsilon: { value: { type: "number", min: 0 }, default: 1e-8, doc: "denominator term" },
  weight_decay: {
    value: { type: "number", min: 0 },
    default: 0,
    doc: "decoupled weight decay (not on biases and LayerNorm)",
  },
};

/** Optimizers. */
export const OPTIMIZER_ARGS: CtorTable = {
  adam: adamArgs,
  adamw: { ...adamArgs, weight_decay: { ...adamArgs["weight_decay"]!, default: 0.01 } },
  sgd: { lr, momentum: { value: { type: "number", min: 0, max: 1 }, default: 0, doc: "momentum" } },
};

/** Learning-rate schedules. */
export const SCHEDULE_ARGS: CtorTable = {
  constant: {
    warmup: {
      value: { type: "number", min: 0 },
      default: 0,
      doc: "warmup: a fraction of all steps (< 1) or a step count",
    },
  },
  linear: {
    warmup: {
      value: { type: "number", min: 0 },
      default: 0,
      doc: "warmup: a fraction of all steps (< 1) or a step count",
    },
  },
};

/** The `data` plan entry's keys. */
export const DATA_ARGS: ArgTable = {
  train: { value: { type: "string" }, required: true, doc: "training file (JSONL, CSV or TSV)" },
  validation: { value: { type: "string" }, doc: "validation file" },
  test: { value: { type: "string" }, doc: "held-out test file" },
  format: {
    value: { type: "enum", values: ["jsonl", "csv", "tsv"] },
    doc: "file format (default: from the extension)",
  },
  text: { value: { type: "string" }, default: "text", doc: "column of the text" },
  text_pair: { value: { type: "string" }, doc: "column of the second text, for sentence-pair tasks" },
  label: { value: { type: "string" }, default: "label", doc: "column of the label" },
};

/** The `early_stopping` plan entry's keys. */
export const EARLY_STOPPING_ARGS: ArgTable = {
  patience: { value: { type: "int", min: 1 }, required: true, doc: "evaluations without improvement before stopping" },
  min_delta: { value: { type: "number", min: 0 }, default: 0, doc: "smallest change that counts as improvement" },
};

/** The `checkpoint` plan entry's keys. */
export const CHECKPOINT_ARGS: ArgTable = {
  every: {
    value: { type: "int", min: 1 },
    required: true,
    doc: "write a checkpoint every N steps (and at each epoch's end)",
  },
};
