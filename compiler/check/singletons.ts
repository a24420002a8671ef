/**
 * Rule `singletons` (ADAPT108): a spec has at most one `model`, one `head` and one `plan { }`; a second
 * one is an error pointing at the first.
 */
import type { Span } from "../../grammar/ast.ts";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.ts";
import type { CheckContext, CheckRule } from "./context.ts";

/** Reports the second and later `model`, `head` and `plan` statements. */
export function checkSingletons(ctx: CheckContext): Diagnostic[] {
  return [
    ...repeats(
      "model",
      ctx.models.map((s) => s.span),
    ),
    ...repeats(
      "head",
      ctx.heads.map((s) => s.span),
    ),
    ...repeats(
      "plan",
      ctx.plans.map((s) => s.span),
    ),
  ];
}

function repeats(word: string, spans: readonly Span[]): Diagnostic[] {
  const first = spans[0];
  if (first === undefined) return [];
  return spans.slice(1).map((span) => {
    const head: Span = {
      start: span.start,
      end: { ...span.start, column: span.start.column + word.length, offset: span.start.offset + word.length },
    };
    const notes = [`the first \`${word}\` is on line ${first.start.line}`];
    return diag("ADAPT108", head, `a spec may have only one \`${word}\` statement`, { notes });
  });
}

/** The rule `singletons` under the check-rule contract. */
export const singletonsRule: CheckRule = {
  name: "singletons",
  codes: ["ADAPT108"],
  run: (ctx, report) => {
    checkSingletons(ctx).forEach(report);
  },
};
