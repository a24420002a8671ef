/**
 * Rule `plan-values` (ADAPT304 malformed plan value, and ADAPT110-114 for `key: value` entries): each
 * plan entry's value has the form its key needs (see `PLAN_KEYS`). Returns the resolved values by key.
 */
import type * as A from "../../grammar/ast.ts";
import { PLAN_KEYS, type PlanKeySpec } from "../schema/plan-keys.ts";
import type { ResolvedCtor } from "../schema/args.ts";
import { resolveArgs, resolveCtor, resolveValue, type ResolvedArgs } from "../schema/resolve-args.ts";
import { diag, hasErrors, type Diagnostic, type StageResult } from "../diagnostics/diagnostic.ts";
import { didYouMean, orList } from "../diagnostics/suggest.ts";
import type { CheckRule } from "./context.ts";

/** A resolved plan value. */
export type PlanValue = number | string | string[] | ResolvedArgs | ResolvedCtor | SelectValue;

/** `select best by SPLIT.METRIC` or `select last`. */
export interface SelectValue {
  readonly kind: "select";
  readonly best: { readonly split: string; readonly metric: string; readonly span: A.Span } | null;
}

/** Resolves every entry; entries with errors are left out of the map. */
export function checkPlanValues(entries: readonly A.PlanEntry[]): StageResult<Map<string, PlanValue>> {
  const diagnostics: Diagnostic[] = [];
  const values = new Map<string, PlanValue>();
  for (const entry of entries) {
    const r = resolveEntry(entry, PLAN_KEYS[entry.key.name]!);
    diagnostics.push(...r.diagnostics);
    if (r.value !== undefined && !hasErrors(r.diagnostics)) values.set(entry.key.name, r.value);
  }
  return { value: values, diagnostics };
}

function resolveEntry(entry: A.PlanEntry, spec: PlanKeySpec): StageResult<PlanValue | undefined> {
  const key = entry.key.name;
  const v = entry.value;
  const malformed = (what: string) => ({
    value: undefined,
    diagnostics: [diag("ADAPT304", v.span, `\`${key}\` takes ${what}`, { help: `for example \`${spec.example}\`` })],
  });
  if (spec.form === "pairs")
    return v.kind === "Pairs" ? resolveArgs(v.args, spec.table, key, entry.key.span) : malformed("`key: value` pairs");
  if (v.kind === "Pairs") return malformed(spec.form === "names" ? "names" : "a value");
  const single = v.groups.length === 1 && v.groups[0]!.length === 1 ? v.groups[0]![0]! : undefined;
  switch (spec.form) {
    case "ctor":
      return single ? resolveCtor(single, spec.table, key) : malformed(`one of ${orList(Object.keys(spec.table))}`);
    case "value":
      return single ? resolveValue(single, spec.value, key) : malformed("a single value");
    case "names":
      return resolveNames(v.groups, spec.values, key);
    case "select":
      return resolveSelect(v.groups, malformed("`best by SPLIT.METRIC` or `last`"));
  }
}

function resolveNames(
  groups: readonly (readonly A.Value[])[],
  allowed: readonly string[],
  key: string,
): StageResult<string[] | undefined> {
  const diagnostics: Diagnostic[] = [];
  const names: string[] = [];
  for (const g of groups) {
    const v = g[0]!;
    const word = g.length === 1 && v.kind === "Name" && v.parts.length === 1 ? v.parts[0]!.name : undefined;
    if (word === undefined) diagnostics.push(diag("ADAPT304", v.span, `\`${key}\` takes names separated by commas`));
    else if (!allowed.includes(word)) {
      const help = didYouMean(word, allowed) ?? `use ${orList(allowed)}`;
      diagnostics.push(diag("ADAPT114", v.span, `\`${word}\` is not a valid \`${key}\``, { help }));
    } else names.push(word);
  }
  return { value: names, diagnostics };
}

function resolveSelect(
  groups: readonly (readonly A.Value[])[],
  malformed: StageResult<undefined>,
): StageResult<SelectValue | undefined> {
  const words = groups.length === 1 ? groups[0]! : [];
  const text = words.map((w) => (w.kind === "Name" ? w.parts.map((p) => p.name).join(".") : "?"));
  if (text.length === 1 && text[0] === "last") return { value: { kind: "select", best: null }, diagnostics: [] };
  const target = words[2];
  if (
    text[0] !== "best" ||
    text[1] !== "by" ||
    target?.kind !== "Name" ||
    target.parts.length !== 2 ||
    words.length !== 3
  )
    return malformed;
  const [split, metric] = target.parts.map((p) => p.name) as [string, string];
  return { value: { kind: "select", best: { split, metric, span: target.span } }, diagnostics: [] };
}

/** The rule `plan-values` under the check-rule contract. */
export const planValuesRule: CheckRule = {
  name: "plan-values",
  codes: ["ADAPT304", "ADAPT110", "ADAPT111", "ADAPT112", "ADAPT113", "ADAPT114"],
  run: (ctx, report) => {
    const r = checkPlanValues(ctx.results.planEntries);
    r.diagnostics.forEach(report);
    ctx.results.planValues = r.value;
  },
};
