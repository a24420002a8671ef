/**
 * Rule `adapter-declarations` (ADAPT102 duplicate adapter declaration, ADAPT103 unknown adapter kind,
 * and ADAPT110-114 for the arguments): every `adapter NAME = KIND(ARGS)` names a known kind once, with
 * arguments of that kind. Returns the valid declarations with their arguments resolved.
 */
import { ADAPTER_KINDS, kindNamed } from "../kinds/registry.ts";
import { resolveArgs } from "../schema/resolve-args.ts";
import { diag, type Diagnostic, type StageResult } from "../diagnostics/diagnostic.ts";
import { didYouMean, orList } from "../diagnostics/suggest.ts";
import type { CheckedAdapter } from "../frontend/checked.ts";
import type { CheckContext, CheckRule } from "./context.ts";

/** Checks adapter declarations and resolves their arguments. */
export function checkAdapterDeclarations(ctx: CheckContext): StageResult<Map<string, CheckedAdapter>> {
  const diagnostics: Diagnostic[] = [];
  const adapters = new Map<string, CheckedAdapter>();
  const firstLine = new Map<string, number>();
  for (const decl of ctx.adapterDecls) {
    const name = decl.name.name;
    const earlier = firstLine.get(name);
    if (earlier !== undefined) {
      const notes = [`the first declaration is on line ${earlier}`];
      diagnostics.push(diag("ADAPT102", decl.name.span, `adapter \`${name}\` is declared twice`, { notes }));
      continue;
    }
    firstLine.set(name, decl.span.start.line);
    const kind = kindNamed(decl.adapterKind.name);
    if (kind === undefined) {
      const written = decl.adapterKind.name;
      const help = didYouMean(written, ADAPTER_KINDS) ?? `the kinds are ${orList(ADAPTER_KINDS)}`;
      diagnostics.push(diag("ADAPT103", decl.adapterKind.span, `unknown adapter kind \`${written}\``, { help }));
      continue;
    }
    const args = resolveArgs(decl.args, kind.args, kind.name, decl.adapterKind.span);
    diagnostics.push(...args.diagnostics);
    if (args.diagnostics.some((d) => d.severity === "error")) continue;
    adapters.set(name, { name, kind: kind.name, def: kind, args: args.value, decl });
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
  codes: ["ADAPT102", "ADAPT103", "ADAPT110", "ADAPT111", "ADAPT112", "ADAPT113", "ADAPT114"],
  run: (ctx, report) => {
    const r = checkAdapterDeclarations(ctx);
    r.diagnostics.forEach(report);
    ctx.results.adapters = r.value;
  },
};
