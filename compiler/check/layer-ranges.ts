/**
 * Rule `layer-ranges` (ADAPT201 malformed layer range, ADAPT207 bad `expect`): every bound in
 * `in layers` is a non-negative integer and every `a..b` has a <= b; `expect N` counts matches, so N is
 * a non-negative integer.
 */
import type * as A from "../../grammar/ast.ts";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.ts";
import type { CheckContext, CheckRule } from "./context.ts";

/** Checks the ranges of selectors and `size` statements, and `expect` counts. */
export function checkLayerRanges(ctx: CheckContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const selectors = [
    ...ctx.placements.map((p) => p.selector),
    ...ctx.rules.flatMap((r) => (r.target.kind === "Selector" ? [r.target] : [])),
  ];
  for (const s of selectors) {
    out.push(...checkRanges(s.layers ?? []));
    if (s.expect !== null && (!s.expect.integer || s.expect.value < 0)) {
      out.push(
        diag(
          "ADAPT207",
          s.expect.span,
          `\`expect\` needs a count of matches, a non-negative integer, not ${s.expect.text}`,
        ),
      );
    }
  }
  for (const s of ctx.sizes) out.push(...checkRanges(s.layers ?? []));
  return out;
}

/** ADAPT201 for each bad bound or reversed range. */
export function checkRanges(ranges: readonly A.Range[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const r of ranges) {
    const bad = [r.from, ...(r.to ? [r.to] : [])].find((n) => !n.integer || n.value < 0);
    if (bad) {
      out.push(diag("ADAPT201", bad.span, `layer indices are non-negative integers, not ${bad.text}`));
    } else if (r.to !== null && r.to.value < r.from.value) {
      const help = `write \`${r.to.text}..${r.from.text}\``;
      out.push(
        diag("ADAPT201", r.span, `the range \`${r.from.text}..${r.to.text}\` is empty because it runs backwards`, {
          help,
        }),
      );
    }
  }
  return out;
}

/** The rule `layer-ranges` under the check-rule contract. */
export const layerRangesRule: CheckRule = {
  name: "layer-ranges",
  codes: ["ADAPT201", "ADAPT207"],
  run: (ctx, report) => {
    checkLayerRanges(ctx).forEach(report);
  },
};
