/**
 * Rule `adapter-declarations` (ADAPT102 duplicate adapter declaration, ADAPT103 unknown adapter kind,
 * and ADAPT110-114 for the arguments): every `adapter NAME = KIND(ARGS)` names a known kind once, with
 * arguments of that kind; its size argument may be `d / k` (ADAPT202-206, as in the `size` statement).
 * Returns the valid declarations with their arguments resolved.
 */
import type * as A from "../../grammar/ast.ts";
import { ADAPTER_KINDS, kindNamed } from "../kinds/registry.ts";
import { resolveArgs } from "../schema/resolve-args.ts";
import { exprProblems } from "./size-expr.ts";
import { diag, type Diagnostic, type StageResult } from "../diagnostics/diagnostic.ts";
import { didYouMean, orList } from "../diagnostics/suggest.ts";
import type { CheckedAdapter } from "../frontend/checked.ts";
import type { CheckContext, CheckRule } from "./context.ts";

/** Checks adapter declarations and resolves their arguments. */
export function checkAdapterDeclarations(ctx: CheckContext): StageResult<Map<string, CheckedAdapter>> {
  const diagnostics: Diagnostic[] = [];
  const adapters = new Map<string, CheckedAdapter>();
  const first = new Map<string, A.AdapterDecl>();
  for (const decl of ctx.adapterDecls) {
    const name = decl.name.name;
    const earlier = first.get(name);
    if (earlier !== undefined) {
      const labels = [{ span: earlier.name.span, message: "first declared here" }];
      const help = "rename one of them, or remove the second declaration";
      diagnostics.push(diag("ADAPT102", decl.name.span, `adapter \`${name}\` is declared twice`, { labels, help }));
      continue;
    }
    first.set(name, decl);
    const kind = kindNamed(decl.adapterKind.name);
    if (kind === undefined) {
      const written = decl.adapterKind.name;
      const help = didYouMean(written, ADAPTER_KINDS) ?? `the kinds are ${orList(ADAPTER_KINDS)}`;
      diagnostics.push(diag("ADAPT103", decl.adapterKind.span, `unknown adapter kind \`${written}\``, { help }));
      continue;
    }
    const factor = decl.args.find((a) => a.key.name === kind.sizeArg && a.value.kind === "Div");
    const ratio = factor?.value.kind === "Div" ? factor.value : null;
    const args = resolveArgs(
      decl.args.filter((a) => a !== factor),
      kind.args,
      kind.name,
      decl.adapterKind.span,
    );
    const problems = [...args.diagnostics, ...(ratio !== null ? exprProblems(ratio) : [])];
    diagnostics.push(...problems);
    if (problems.some((d) => d.severity === "error")) continue;
    adapters.set(name, { name, kind: kind.name, def: kind, args: args.value, sizeRatio: ratio, decl });
  }
  return { value: adapters, diagnostics };
}

/** True when `name` was declared by some statement, valid or not. */
export function isDeclared(ctx: CheckContext, name: string): boolean {
  return ctx.declaredNames.has(name);
}

/** The rule `adapter-declarations` under the check-rule contract. */
export const adapterDeclarationsRule: CheckRule = {
  name: "adapter-declarations",
  codes: [
    "ADAPT102",
    "ADAPT103",
    "ADAPT110",
    "ADAPT111",
    "ADAPT112",
    "ADAPT113",
    "ADAPT114",
    "ADAPT202",
    "ADAPT203",
    "ADAPT204",
    "ADAPT206",
  ],
  run: (ctx, report) => {
    const r = checkAdapterDeclarations(ctx);
    r.diagnostics.forEach(report);
    ctx.results.adapters = r.value;
  },
};
