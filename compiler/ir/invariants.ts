/**
 * What a compiled plan must satisfy beyond its JSON Schema, checked when a plan comes back from disk
 * (an artifact's stored IR): the spec text matches its hash; operation ids (adapter@site) and weight
 * names are unique; every added weight is accounted in `weights`; every size is within what its site can take;
 * every operation's weights are exactly those its kind adds at its site, and no operation is larger than
 * 16 times the base model (so an edited shape cannot allocate without bound).
 */
import type { AddedWeight, CompiledPlan, SurgeryOp } from "./types.ts";
import { kindOf } from "../kinds/registry.ts";
import { adapterLayerName, kindWeights, paramsOf } from "../lower/accounting.ts";
import { sha256 } from "../lower/sha256.ts";

/** A bottleneck (or LoRA rank) may be at most this many times its site's feature size. */
export const MAX_SIZE_FACTOR = 16;

/** The largest number of classes a head may have. */
export const MAX_CLASSES = 1_000_000;

/** The largest size a site of feature size `d` can take (ADAPT218 above it). */
export function maxSizeAt(d: number): number {
  return MAX_SIZE_FACTOR * d;
}

function dupes(xs: readonly string[]): string | null {
  const seen = new Set<string>();
  for (const x of xs) {
    if (seen.has(x)) return x;
    seen.add(x);
  }
  return null;
}

function opProblem(op: SurgeryOp, baseParams: number): string | null {
  if (op.size !== null && op.size > maxSizeAt(op.d))
    return `operation \`${op.id}\` has size ${op.size}, more than ${MAX_SIZE_FACTOR} × d = ${maxSizeAt(op.d)}`;
  if (op.params > MAX_SIZE_FACTOR * Math.max(baseParams, 1))
    return `operation \`${op.id}\` declares ${op.params} parameters, more than ${MAX_SIZE_FACTOR} times the base model's`;
  const expected = expectedWeights(op);
  if (expected === null) return `operation \`${op.id}\` has a config its kind cannot build`;
  const same =
    expected.length === op.weights.length &&
    expected.every((w, i) => w.name === op.weights[i]!.name && w.shape.join("x") === op.weights[i]!.shape.join("x"));
  if (!same) return `the weights of operation \`${op.id}\` are not those its kind adds at its site`;
  const params = paramsOf(op.weights);
  if (params !== op.params)
    return `operation \`${op.id}\` declares ${op.params} parameters, but its weights hold ${params}`;
  return null;
}

/** The weights the operation's kind adds for its config at its site, or null when it cannot say. */
function expectedWeights(op: SurgeryOp): AddedWeight[] | null {
  try {
    const config = op.config as { kernelShape?: readonly number[] };
    const k = config.kernelShape;
    const kernelShape = k !== undefined && k.length === 2 ? ([k[0]!, k[1]!] as const) : null;
    const site = { d: op.d, kernelShape };
    return kindWeights(kindOf(op), op.config, adapterLayerName(op.adapter, op.site), site, op.size ?? 0);
  } catch {
    return null;
  }
}

/** The problems of a schema-valid plan, one sentence each (empty when it is consistent). */
export function planInvariantProblems(plan: CompiledPlan): string[] {
  const out: string[] = [];
  if (sha256(plan.spec.text) !== plan.spec.sha256) out.push("the spec text does not match its sha256");
  const id = dupes(plan.operations.map((o) => o.id));
  if (id !== null) out.push(`operation \`${id}\` appears twice`);
  const name = dupes(plan.weights.map((w) => w.name));
  if (name !== null) out.push(`weight \`${name}\` appears twice`);
  const known = new Set(plan.weights.map((w) => w.name));
  for (const op of plan.operations) {
    const problem = opProblem(op, plan.model.params);
    if (problem !== null) out.push(problem);
    const missing = op.weights.find((w) => !known.has(w.name));
    if (missing !== undefined)
      out.push(`weight \`${missing.name}\` of operation \`${op.id}\` is not in the plan's weights`);
  }
  const head = plan.head;
  if (head !== null) {
    if (head.classes > MAX_CLASSES) out.push(`the head has ${head.classes} classes, more than ${MAX_CLASSES}`);
    const dims = new Set([1, head.d, head.classes]);
    const bad = head.weights.find((w) => w.shape.some((n) => !dims.has(n)));
    if (bad !== undefined) out.push(`head weight \`${bad.name}\` has a dimension that the head does not have`);
  }
  return out.slice(0, 10);
}
