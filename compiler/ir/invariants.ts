/**
 * What a compiled plan must satisfy beyond its JSON Schema, checked when a plan comes back from disk
 * (an artifact's stored IR): the spec text matches its hash; operation ids (adapter@site) and weight
 * names are unique; every added weight is accounted in `weights`; every size is within what its site can take;
 * and every weight's dimensions come from its site (so an edited shape cannot allocate without bound).
 */
import type { CompiledPlan, SurgeryOp } from "./types.ts";
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

function opProblem(op: SurgeryOp): string | null {
  if (op.size !== null && op.size > maxSizeAt(op.d))
    return `operation \`${op.id}\` has size ${op.size}, more than ${MAX_SIZE_FACTOR} × d = ${maxSizeAt(op.d)}`;
  const dims = new Set([1, op.d, op.size ?? op.d, ...(op.kernelShape ?? [])]);
  let params = 0;
  for (const w of op.weights) {
    const bad = w.shape.find((n) => !dims.has(n));
    if (bad !== undefined)
      return `weight \`${w.name}\` of operation \`${op.id}\` has a dimension ${bad} that its site does not have`;
    params += w.shape.reduce((a, b) => a * b, 1);
  }
  if (params !== op.params)
    return `operation \`${op.id}\` declares ${op.params} parameters, but its weights hold ${params}`;
  return null;
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
    const problem = opProblem(op);
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
