/**
 * Stage 2, check: the model-free rules of `compiler/check/` over a parsed spec. Every rule runs and
 * reports all it finds; the result holds the valid parts of the spec, resolved, for the next stage.
 */
import type { Spec } from "../../grammar/ast.ts";
import type { Diagnostic, StageResult } from "../diagnostics/diagnostic.ts";
import { makeContext, type CheckPurpose, type CheckRule } from "../check/context.ts";
import { SPECIFIED_RULES } from "../check/rules.ts";
import { lowerPlan } from "./plan-ir.ts";
import type { CheckedSpec } from "./checked.ts";

/** Options of the check stage. */
export interface CheckOptions {
  /** `run` turns an incomplete plan or a missing head into errors. */
  readonly purpose?: CheckPurpose;
}

/** Runs every model-free rule over `spec` (by default the specified rules, in their order). */
export function checkSpec(
  spec: Spec,
  opts: CheckOptions = {},
  rules: readonly CheckRule[] = SPECIFIED_RULES,
): StageResult<CheckedSpec> {
  const ctx = makeContext(spec, opts.purpose ?? "check");
  const diagnostics: Diagnostic[] = [];
  for (const rule of rules) rule.run(ctx, (d) => diagnostics.push(d));
  const { adapters, placements, sizes, head, planValues, uses, stacks, fuses, badRules } = ctx.results;
  const planBlock = ctx.plans[0] ?? null;
  const rangeErrors = new Set(diagnostics.filter((d) => d.code === "ADAPT201").map((d) => d.span.start.offset));
  const inRange = (r: { span: { start: { offset: number }; end: { offset: number } } }) =>
    [...rangeErrors].some((o) => o >= r.span.start.offset && o < r.span.end.offset);
  return {
    value: {
      spec,
      model: ctx.models[0]?.path ?? null,
      adapters,
      placements: placements.filter((p) => !inRange(p.selector)),
      sizes: sizes.filter((s) => !inRange(s)),
      rules: ctx.rules.filter((r) => !badRules.has(r) && (r.target.kind !== "Selector" || !inRange(r.target))),
      head,
      plan: planBlock !== null ? lowerPlan(planValues, head) : null,
      planBlock,
      uses,
      stacks,
      fuses,
    },
    diagnostics,
  };
}
