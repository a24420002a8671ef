/**
 * Rule `plan-complete` (ADAPT303 missing plan entry, ADAPT305 no head for training, ADAPT306 selection
 * metric is not computed, ADAPT307 no plan for training, ADAPT308 metric does not suit the head): the
 * plan has what `adapt run` needs (errors for `run`, warnings otherwise), selects by a metric it computes
 * on a split it has, and asks for metrics its head can produce.
 */
import type * as A from "../../grammar/ast.ts";
import { REQUIRED_PLAN_KEYS, CLASSIFICATION_METRICS, REGRESSION_METRICS } from "../schema/plan-keys.ts";
import { diag, FILE_START, type Diagnostic } from "../diagnostics/diagnostic.ts";
import { orList, suggest } from "../diagnostics/suggest.ts";
import type { CheckedHead } from "../frontend/checked.ts";
import type { CheckContext, CheckRule } from "./context.ts";
import type { PlanValue, SelectValue } from "./plan-values.ts";

/** Checks completeness and consistency of the plan against the head. */
export function checkPlanComplete(
  ctx: CheckContext,
  values: ReadonlyMap<string, PlanValue>,
  head: CheckedHead | null,
): Diagnostic[] {
  const block = ctx.plans[0];
  const forRun = ctx.purpose === "run";
  const out: Diagnostic[] = [];
  if (block === undefined) {
    if (forRun) out.push(diag("ADAPT307", FILE_START, "the spec has no `plan { }`, so there is nothing to run"));
    return out;
  }
  const where = keywordSpan(block);
  const given = block.entries.map((e) => e.key.name);
  const meant = given.map((k) => suggest(k, REQUIRED_PLAN_KEYS)).filter((k) => k !== undefined);
  const missing = REQUIRED_PLAN_KEYS.filter((k) => !given.includes(k) && !meant.includes(k));
  if (missing.length > 0) {
    const severity = forRun ? "error" : "warning";
    const message = `the plan has no ${orList(missing)} ${missing.length === 1 ? "entry" : "entries"}, which \`adapt run\` needs`;
    out.push(diag("ADAPT303", where, message, { severity }));
  }
  if (forRun && ctx.heads.length === 0) {
    out.push(
      diag("ADAPT305", where, "training needs a task head", {
        help: "add `head classifier(classes: N)` or `head regression()`",
      }),
    );
  }
  out.push(...metricProblems(ctx, values, head));
  return out;
}

function metricProblems(
  ctx: CheckContext,
  values: ReadonlyMap<string, PlanValue>,
  head: CheckedHead | null,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const metrics = planMetrics(values, head);
  const wrong =
    head?.kind === "regression" ? CLASSIFICATION_METRICS : head?.kind === "classifier" ? REGRESSION_METRICS : [];
  const entry = ctx.plans[0]?.entries.find((e) => e.key.name === "metric");
  for (const m of metrics.filter((x) => wrong.includes(x))) {
    out.push(
      diag("ADAPT308", entry?.value.span ?? FILE_START, `a \`${head!.kind}\` head cannot be scored by \`${m}\``),
    );
  }
  const select = values.get("select") as SelectValue | undefined;
  const best = select?.best;
  if (best) {
    const data = values.get("data") as Record<string, unknown> | undefined;
    if (best.split !== "validation" && best.split !== "train") {
      out.push(
        diag("ADAPT306", best.span, `\`select\` uses the \`validation\` or \`train\` split, not \`${best.split}\``),
      );
    } else if (best.split === "validation" && data !== undefined && data["validation"] === undefined) {
      out.push(
        diag("ADAPT306", best.span, "`select` uses the validation split, but `data` names no `validation` file"),
      );
    }
    if (best.metric !== "loss" && !metrics.includes(best.metric)) {
      out.push(
        diag("ADAPT306", best.span, `\`select\` uses \`${best.metric}\`, which the plan does not compute`, {
          help: `add it to \`metric\` (now ${orList(metrics)})`,
        }),
      );
    }
  }
  return out;
}

/** The metrics a plan computes: its `metric` entry, or the head's default. */
export function planMetrics(values: ReadonlyMap<string, PlanValue>, head: CheckedHead | null): string[] {
  const given = values.get("metric") as string[] | undefined;
  if (given !== undefined && given.length > 0) return given;
  return head?.kind === "regression" ? ["pearson"] : ["accuracy"];
}

function keywordSpan(block: A.PlanBlock): A.Span {
  const s = block.span.start;
  return { start: s, end: { line: s.line, column: s.column + 4, offset: s.offset + 4 } };
}

/** The rule `plan-complete` under the check-rule contract. */
export const planCompleteRule: CheckRule = {
  name: "plan-complete",
  codes: ["ADAPT303", "ADAPT305", "ADAPT306", "ADAPT307", "ADAPT308"],
  run: (ctx, report) => {
    checkPlanComplete(ctx, ctx.results.planValues, ctx.results.head).forEach(report);
  },
};
