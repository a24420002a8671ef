/**
 * The plan an artifact stores: each operation whose kind saves something other than what it trains
 * (the registry's `artifactConfig`; prefix tuning keeps the prefixes, not the reparameterisation MLP)
 * with that config, its weights and their trainability entries.
 */
import type { CompiledPlan, SurgeryOp, WeightTrainability } from "../ir/types.ts";
import { kindOf } from "../kinds/registry.ts";
import { adapterLayerName, kindWeights, paramsOf } from "./accounting.ts";

function artifactOp(op: SurgeryOp): SurgeryOp {
  const kind = kindOf(op);
  const config = kind.artifactConfig(op.config);
  if (config === op.config) return op;
  const kernelShape =
    "kernelShape" in config && config.kernelShape.length === 2
      ? ([config.kernelShape[0]!, config.kernelShape[1]!] as const)
      : null;
  const weights = kindWeights(
    kind,
    config,
    adapterLayerName(op.adapter, op.site),
    { d: op.d, kernelShape },
    op.size ?? 0,
  );
  return { ...op, config, weights, params: paramsOf(weights) };
}

/** `plan` as an artifact stores it (the same object when no kind changes). */
export function artifactPlan(plan: CompiledPlan): CompiledPlan {
  const operations = plan.operations.map(artifactOp);
  if (operations.every((op, i) => op === plan.operations[i])) return plan;
  const weights: WeightTrainability[] = [];
  const replaced = new Set<string>();
  operations.forEach((op, i) => {
    const before = plan.operations[i]!;
    if (op === before) return;
    for (const w of before.weights) replaced.add(w.name);
  });
  for (const w of plan.weights) {
    if (!replaced.has(w.name)) {
      weights.push(w);
      continue;
    }
    const op = operations.find((o) => w.layer === adapterLayerName(o.adapter, o.site));
    if (op === undefined || weights.some((x) => x.layer === w.layer)) continue;
    for (const nw of op.weights)
      weights.push({ ...w, name: nw.name, shape: nw.shape, params: nw.shape.reduce((a, b) => a * b, 1) });
  }
  return { ...plan, operations, weights };
}
