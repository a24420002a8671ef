/**
 * Merge: the kinds that merge (the registry's `mergeable`; LoRA: W' = W + scale·A·B; IA3 on a linear
 * Dense: W' = W·diag(l), b' = b ⊙ l) folded into their sites' kernels and biases, giving a model with
 * the base's own Dense layers; every operation that cannot fold stays an adapter. `verify` checks that
 * the merged model's outputs equal the unmerged one's within 1e-5; `adapt merge` writes it.
 */
import * as tf from "@tensorflow/tfjs";
import type { StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import type { CompiledPlan, SurgeryOp } from "../../compiler/ir/types.ts";
import { kindOf } from "../../compiler/kinds/registry.ts";
import { runtimeOf } from "../kinds/index.ts";
import type { DenseWeights } from "../kinds/define.ts";
import { applySurgery, type SurgeryOptions } from "../surgery/apply.ts";
import { adapterLayerName } from "../surgery/names.ts";

type Plan = Pick<CompiledPlan, "operations" | "weights">;

/** An operation that does not fold into the base, and why (one sentence). */
export interface Unmerged {
  readonly op: SurgeryOp;
  readonly why: string;
}

function siteActivation(base: tf.LayersModel, site: string): string {
  try {
    return (base.getLayer(site).getConfig()["activation"] as string | undefined) ?? "linear";
  } catch {
    return "linear";
  }
}

/** The operations of `plan` that cannot fold into `base` (kinds that never merge, or a site that forbids it). */
export function unmergeable(base: tf.LayersModel, plan: Plan): Unmerged[] {
  const out: Unmerged[] = [];
  for (const op of plan.operations) {
    if (!kindOf(op).mergeable) {
      out.push({ op, why: `${op.kind} adds a module with its own nonlinearity, which no base weight can express` });
      continue;
    }
    const why = runtimeOf(op).kind.mergeProblem?.(siteActivation(base, op.site)) ?? null;
    if (why !== null) out.push({ op, why });
  }
  return out;
}

/** The plan without the operations in `merged` (and their weights). */
export function withoutMerged(plan: Plan, merged: ReadonlySet<SurgeryOp>): Plan {
  const dropped = new Set([...merged].flatMap((o) => o.weights.map((w) => w.name)));
  return {
    operations: plan.operations.filter((o) => !merged.has(o)),
    weights: plan.weights.filter((w) => !dropped.has(w.name)),
  };
}

/**
 * Merges the operations of `adapted` (made from `base` with `plan`) that fold into the base into a new
 * model: the base with the plan's other operations, every shared weight copied from `adapted`, and each
 * merged site's kernel and bias replaced by their folded values (at one site, LoRA before IA3, as the
 * adapted model applies them). Neither input model changes.
 */
export function mergeAdapters(
  base: tf.LayersModel,
  adapted: tf.LayersModel,
  plan: Plan,
  options: SurgeryOptions = {},
): StageResult<tf.LayersModel | null> {
  const kept = new Set(unmergeable(base, plan).map((u) => u.op));
  const folding = plan.operations.filter((o) => !kept.has(o));
  const result = applySurgery(base, withoutMerged(plan, new Set(folding)), options);
  const merged = result.value;
  if (merged === null) return result;
  const source = new Map(adapted.weights.map((w) => [w.originalName, w]));
  const bySite = new Map<string, SurgeryOp[]>();
  for (const op of folding) bySite.set(op.site, [...(bySite.get(op.site) ?? []), op]);
  const folded = new Map<string, tf.Tensor>();
  for (const [site, ops] of bySite) {
    const ordered = [...ops].sort(
      (a, b) => Number(runtimeOf(b).kind.linearSite) - Number(runtimeOf(a).kind.linearSite),
    );
    const kernel = source.get(`${site}/kernel`);
    const bias = source.get(`${site}/bias`);
    if (kernel === undefined) throw new Error(`the adapted model lacks ${site}/kernel`);
    const start: DenseWeights = { kernel: kernel.read(), bias: bias?.read() ?? null };
    const end = tf.tidy(() => {
      const r = ordered.reduce((w, op) => fold(op, source, w), start);
      return [r.kernel, r.bias].filter((t): t is tf.Tensor => t !== null).map((t) => tf.keep(t.clone()));
    });
    folded.set(`${site}/kernel`, end[0]!);
    if (end[1] !== undefined) folded.set(`${site}/bias`, end[1]);
  }
  for (const w of merged.weights) {
    const value = folded.get(w.originalName) ?? source.get(w.originalName)?.read();
    if (value !== undefined) w.write(value);
  }
  tf.dispose([...folded.values()]);
  return { value: merged, diagnostics: result.diagnostics };
}

function fold(op: SurgeryOp, source: ReadonlyMap<string, tf.LayerVariable>, site: DenseWeights): DenseWeights {
  const { kind, config } = runtimeOf(op);
  const layer = adapterLayerName(op);
  const weight = (suffix: string): tf.Tensor => {
    const v = source.get(`${layer}/${suffix}`);
    if (v === undefined) throw new Error(`the adapted model lacks ${layer}/${suffix}`);
    return v.read();
  };
  if (kind.merge === undefined) throw new Error(`${op.kind} is marked mergeable but has no merge`);
  return kind.merge(config, weight, site);
}
