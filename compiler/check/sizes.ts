/**
 * Rule `sizes` (ADAPT101 undeclared adapter, ADAPT202 size not a positive integer, ADAPT203 division
 * by zero, ADAPT204 bad divisor, ADAPT205 size for a kind without one, ADAPT206 unknown size variable):
 * each `size` statement names an adapter whose kind has a size argument (bottleneck m, LoRA rank) as a
 * positive integer, `d / k` with a positive integer k, or a list of positive integers.
 */
import type * as A from "../../grammar/ast.ts";
import { diag, type Diagnostic, type StageResult } from "../diagnostics/diagnostic.ts";
import type { CheckedAdapter } from "../frontend/checked.ts";
import { exprProblems } from "./size-expr.ts";
import { isDeclared } from "./adapter-declarations.ts";
import { undeclared } from "./placements.ts";
import type { CheckContext, CheckRule } from "./context.ts";

/** Checks `size` statements; returns those that can be compiled. */
export function checkSizes(
  ctx: CheckContext,
  adapters: ReadonlyMap<string, CheckedAdapter>,
): StageResult<A.SizeStmt[]> {
  const diagnostics: Diagnostic[] = [];
  const valid: A.SizeStmt[] = [];
  for (const s of ctx.sizes) {
    const adapter = adapters.get(s.adapter.name);
    const own = exprProblems(s.expr);
    diagnostics.push(...own);
    if (adapter === undefined) {
      if (!isDeclared(ctx, s.adapter.name)) diagnostics.push(undeclared(ctx, s.adapter));
      continue;
    }
    if (adapter.def.sizeArg === null) {
      diagnostics.push(
        diag(
          "ADAPT205",
          s.adapter.span,
          `\`${adapter.name}\` is ${article(adapter.kind)} \`${adapter.kind}\` adapter, which has no size`,
        ),
      );
      continue;
    }
    if (own.length === 0) valid.push(s);
  }
  return { value: valid, diagnostics };
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? "an" : "a";
}

/** The rule `sizes` under the check-rule contract. */
export const sizesRule: CheckRule = {
  name: "sizes",
  codes: ["ADAPT101", "ADAPT202", "ADAPT203", "ADAPT204", "ADAPT205", "ADAPT206"],
  run: (ctx, report) => {
    const r = checkSizes(ctx, ctx.results.adapters);
    r.diagnostics.forEach(report);
    ctx.results.sizes = r.value;
  },
};
