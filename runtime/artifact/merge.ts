/**
 * Merge: the updates of the kinds that merge (the registry's `mergeable`; LoRA: W' = W + scale·A·B)
 * folded into the base kernels, giving a model with the base's own Dense layers (and every other
 * adapter kept). `verify` checks that the merged model's outputs equal the unmerged one's within 1e-5.
 */
import * as tf from "@tensorflow/tfjs";
import type { StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import type { CompiledPlan, SurgeryOp } from "../../compiler/ir/types.ts";
import { kindOf } from "../../compiler/kinds/registry.ts";
import { runtimeOf } from "../kinds/index.ts";
import { applySurgery, type SurgeryOptions } from "../surgery/apply.ts";
import { adapterLayerName } from "../surgery/names.ts";

/** The plan without its mergeable operations (and their weights). */
export function withoutMergeable(
  plan: Pick<CompiledPlan, "operations" | "weights">,
): Pick<CompiledPlan, "operations" | "weights"> {
  const merged = plan.operations.filter((o) => kindOf(o).mergeable);
  const dropped = new Set(merged.flatMap((o) => o.weights.map((w) => w.name)));
  return {
    operations: plan.operations.filter((o) => !kindOf(o).mergeable),
    weights: plan.weights.filter((w) => !dropped.has(w.name)),
  };
}

/**
 * Merges the mergeable operations of `adapted` (made from `base` with `plan`) into a new model: the base
 * with the plan's other operations, every shared weight copied from `adapted`, and each merged site's
 * kernel replaced by W plus its kind's update (LoRA: W + scale·A·B). Neither input model changes.
 */
export function mergeAdapters(
  base: tf.LayersModel,
  adapted: tf.LayersModel,
  plan: Pick<CompiledPlan, "operations" | "weights">,
  options: SurgeryOptions = {},
): StageResult<tf.LayersModel | null> {
  const result = applySurgery(base, withoutMergeable(plan), options);
  const merged = result.value;
  if (merged === null) return result;
  const source = new Map(adapted.weights.map((w) => [w.originalName, w]));
  const updates = new Map<string, SurgeryOp[]>();
  for (const op of plan.operations.filter((o) => kindOf(o).mergeable))
    updates.set(`${op.site}/kernel`, [...(updates.get(`${op.site}/kernel`) ?? []), op]);
  for (const w of merged.weights) {
    const from = source.get(w.originalName);
    if (from === undefined) continue;
    const ops = updates.get(w.originalName) ?? [];
    w.write(tf.tidy(() => ops.reduce((kernel, op) => tf.add(kernel, delta(op, source)), from.read().clone())));
  }
  return { value: merged, diagnostics: result.diagnostics };
}

function delta(op: SurgeryOp, source: ReadonlyMap<string, tf.LayerVariable>): tf.Tensor {
  const { kind, config } = runtimeOf(op);
  const layer = adapterLayerName(op);
  const weight = (suffix: string): tf.Tensor => {
    const v = source.get(`${layer}/${suffix}`);
    if (v === undefined) throw new Error(`the adapted model lacks ${layer}/${suffix}`);
    return v.read();
  };
  if (kind.mergeDelta === undefined) throw new Error(`${op.kind} is marked mergeable but has no merge`);
  return kind.mergeDelta(config, weight);
}
