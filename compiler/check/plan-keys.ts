/**
 * Rule `plan-keys` (ADAPT301 unknown plan key, ADAPT302 duplicate plan key): every entry of
 * `plan { }` uses a known key, once.
 */
import type * as A from "../../grammar/ast.ts";
import { PLAN_KEYS } from "../schema/plan-keys.ts";
import { diag, type Diagnostic, type StageResult } from "../diagnostics/diagnostic.ts";
import { didYouMean } from "../diagnostics/suggest.ts";
import type { CheckRule } from "./context.ts";

/** Checks the keys of a plan block; returns the entries with known, first-seen keys. */
export function checkPlanKeys(plan: A.PlanBlock): StageResult<A.PlanEntry[]> {
  const diagnostics: Diagnostic[] = [];
  const valid: A.PlanEntry[] = [];
  const firstLine = new Map<string, number>();
  for (const entry of plan.entries) {
    const key = entry.key.name;
    if (!Object.hasOwn(PLAN_KEYS, key)) {
      const help = didYouMean(key, Object.keys(PLAN_KEYS)) ?? `the keys are listed in the language reference`;
      diagnostics.push(diag("ADAPT301", entry.key.span, `unknown plan key \`${key}\``, { help }));
      continue;
    }
    const earlier = firstLine.get(key);
    if (earlier !== undefined) {
      const notes = [`the first \`${key}\` is on line ${earlier}`];
      diagnostics.push(diag("ADAPT302", entry.key.span, `plan key \`${key}\` is given twice`, { notes }));
      continue;
    }
    firstLine.set(key, entry.span.start.line);
    valid.push(entry);
  }
  return { value: valid, diagnostics };
}

/** The rule `plan-keys` under the check-rule contract. */
export const planKeysRule: CheckRule = {
  name: "plan-keys",
  codes: ["ADAPT301", "ADAPT302"],
  run: (ctx, report) => {
    const plan = ctx.plans[0];
    if (plan === undefined) return;
    const r = checkPlanKeys(plan);
    r.diagnostics.forEach(report);
    ctx.results.planEntries = r.value;
  },
};
