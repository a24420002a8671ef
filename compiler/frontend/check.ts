/**
 * Stage 2, check: the model-free rules of `compiler/check/` over a parsed spec. Every rule runs and
 * reports all it finds; the result holds the valid parts of the spec, resolved, for the next stage.
 */
import type { Spec } from "../../grammar/ast.ts";
import type { Diagnostic, StageResult } from "../diagnostics/diagnostic.ts";
import { makeContext, type CheckPurpose } from "../check/context.ts";
import { checkAdapterDeclarations } from "../check/adapter-declarations.ts";
import { checkPlacements } from "../check/placements.ts";
import { checkUnusedAdapters } from "../check/unused-adapters.ts";
import { checkSingletons } from "../check/singletons.ts";
import { checkLayerRanges } from "../check/layer-ranges.ts";
import { checkSizes } from "../check/sizes.ts";
import { checkHead } from "../check/head.ts";
import { checkPlanKeys } from "../check/plan-keys.ts";
import { checkPlanValues, type PlanValue } from "../check/plan-values.ts";
import { checkPlanComplete } from "../check/plan-complete.ts";
import { lowerPlan } from "./plan-ir.ts";
import type { CheckedSpec } from "./checked.ts";

/** Options of the check stage. */
export interface CheckOptions {
  /** `run` turns an incomplete plan or a missing head into errors. */
  readonly purpose?: CheckPurpose;
}

/** Runs every model-free rule over `spec`. */
export function checkSpec(spec: Spec, opts: CheckOptions = {}): StageResult<CheckedSpec> {
  const ctx = makeContext(spec, opts.purpose ?? "check");
  const diagnostics: Diagnostic[] = [];
  const take = <T>(r: StageResult<T>): T => {
    diagnostics.push(...r.diagnostics);
    return r.value;
  };
  const adapters = take(checkAdapterDeclarations(ctx));
  const placements = take(checkPlacements(ctx, adapters));
  diagnostics.push(...checkUnusedAdapters(ctx), ...checkSingletons(ctx), ...checkLayerRanges(ctx));
  const sizes = take(checkSizes(ctx, adapters));
  const head = take(checkHead(ctx));
  const planBlock = ctx.plans[0] ?? null;
  let values = new Map<string, PlanValue>();
  if (planBlock !== null) values = take(checkPlanValues(take(checkPlanKeys(planBlock))));
  diagnostics.push(...checkPlanComplete(ctx, values, head));
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
      rules: ctx.rules.filter((r) => r.target.kind !== "Selector" || !inRange(r.target)),
      head,
      plan: planBlock !== null ? lowerPlan(values, head) : null,
      planBlock,
    },
    diagnostics,
  };
}
