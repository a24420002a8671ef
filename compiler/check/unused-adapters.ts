/**
 * Rule `unused-adapters` (ADAPT109, warning): an adapter that is declared but never inserted or
 * applied does nothing, which is usually a forgotten line or a misspelt name.
 */
import { diag, type Diagnostic } from "../diagnostics/diagnostic.ts";
import type { CheckContext, CheckRule } from "./context.ts";

/** Warns about declared adapters that no `insert` or `apply` uses. */
export function checkUnusedAdapters(ctx: CheckContext): Diagnostic[] {
  const used = new Set(ctx.placements.map((p) => p.adapter.name));
  const reported = new Set<string>();
  const out: Diagnostic[] = [];
  for (const decl of ctx.adapterDecls) {
    const name = decl.name.name;
    if (used.has(name) || reported.has(name)) continue;
    reported.add(name);
    const help = `add \`insert ${name} after "..."\` or \`apply ${name} to "..."\`, or remove the declaration`;
    out.push(diag("ADAPT109", decl.name.span, `adapter \`${name}\` is declared but never used`, { help }));
  }
  return out;
}

/** The rule `unused-adapters` under the check-rule contract. */
export const unusedAdaptersRule: CheckRule = {
  name: "unused-adapters",
  codes: ["ADAPT109"],
  run: (ctx, report) => {
    checkUnusedAdapters(ctx).forEach(report);
  },
};
