/**
 * Builds the training plan of the IR from resolved plan values, with every default filled in. Only
 * called when the plan has all required entries and no errors.
 */
import type { TrainingPlanIR } from "../ir/types.ts";
import type { ResolvedArgs } from "../schema/resolve-args.ts";
import type { ResolvedCtor } from "../schema/args.ts";
import { OPTIMIZER_ARGS, SCHEDULE_ARGS } from "../schema/args.ts";
import { planMetrics } from "../check/plan-complete.ts";
import type { PlanValue, SelectValue } from "../check/plan-values.ts";
import type { CheckedHead } from "./checked.ts";

const DEFAULT_SEED = 42;
const DEFAULT_MAX_LENGTH = 128;

function defaults(table: Readonly<Record<string, { default?: unknown }>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(table).map(([k, v]) => [k, v.default]));
}

/** The IR's training plan, or null when a required entry is missing. */
export function lowerPlan(values: ReadonlyMap<string, PlanValue>, head: CheckedHead | null): TrainingPlanIR | null {
  const data = values.get("data") as ResolvedArgs | undefined;
  const opt = values.get("optimizer") as ResolvedCtor | undefined;
  const epochs = values.get("epochs") as number | undefined;
  const batch = values.get("batch") as number | undefined;
  const output = values.get("output") as string | undefined;
  if (!data || !opt || epochs === undefined || batch === undefined || output === undefined) return null;
  const o = { ...defaults(OPTIMIZER_ARGS[opt.kind] ?? {}), ...opt } as Record<string, number>;
  const sched = (values.get("schedule") as ResolvedCtor | undefined) ?? {
    kind: "constant",
    ...defaults(SCHEDULE_ARGS["constant"]!),
  };
  const metrics = planMetrics(values, head);
  const early = values.get("early_stopping") as ResolvedArgs | undefined;
  const checkpoint = values.get("checkpoint") as ResolvedArgs | undefined;
  const str = (k: string) => (typeof data[k] === "string" ? (data[k] as string) : null);
  return {
    data: {
      train: data["train"] as string,
      validation: str("validation"),
      test: str("test"),
      format: str("format") as TrainingPlanIR["data"]["format"],
      text: str("text") ?? "text",
      textPair: str("text_pair"),
      label: str("label") ?? "label",
    },
    optimizer: {
      kind: opt.kind as TrainingPlanIR["optimizer"]["kind"],
      lr: o["lr"] ?? 1e-3,
      beta1: o["beta1"] ?? 0.9,
      beta2: o["beta2"] ?? 0.999,
      epsilon: o["epsilon"] ?? 1e-8,
      weightDecay: o["weight_decay"] ?? 0,
      momentum: o["momentum"] ?? 0,
    },
    schedule: { kind: sched.kind as "constant" | "linear", warmup: (sched["warmup"] as number | undefined) ?? 0 },
    epochs,
    batch,
    maxLength: (values.get("max_length") as number | undefined) ?? DEFAULT_MAX_LENGTH,
    metrics,
    select: lowerSelect(values.get("select") as SelectValue | undefined, metrics, str("validation") !== null),
    seed: (values.get("seed") as number | undefined) ?? DEFAULT_SEED,
    output,
    clipNorm: (values.get("clip_norm") as number | undefined) ?? null,
    earlyStopping: early
      ? { patience: early["patience"] as number, minDelta: (early["min_delta"] as number | undefined) ?? 0 }
      : null,
    checkpointEvery: checkpoint ? (checkpoint["every"] as number) : null,
  };
}

function lowerSelect(
  select: SelectValue | undefined,
  metrics: readonly string[],
  hasValidation: boolean,
): TrainingPlanIR["select"] {
  if (select !== undefined) {
    if (select.best === null) return null;
    const { split, metric } = select.best;
    return { split: split as "validation" | "train", metric, mode: metric === "loss" ? "min" : "max" };
  }
  if (!hasValidation) return null;
  const metric = metrics[0] ?? "accuracy";
  return { split: "validation", metric, mode: metric === "loss" ? "min" : "max" };
}
