/**
 * Rule `compositions` (ADAPT140 a `use` or `fuse` name already in use, ADAPT141 an unknown member or
 * rule target, with "did you mean", ADAPT142 a stack or fusion without two distinct members, ADAPT144
 * an adapter in two stacks or two fusions): the names of `use`, `stack`, `fuse` and `train NAME` /
 * `freeze NAME`, checked without the model. What needs the artifacts and the model (sites, base) is
 * checked when they are resolved (`compiler/resolve/used.ts`, `compiler/resolve/compose.ts`).
 */
import type * as A from "../../grammar/ast.ts";
import { diag } from "../diagnostics/diagnostic.ts";
import { didYouMean } from "../diagnostics/suggest.ts";
import type { CheckContext, CheckRule, Report } from "./context.ts";

function declare(
  ident: A.Ident,
  what: string,
  names: Map<string, A.Ident>,
  ctx: CheckContext,
  report: Report,
): boolean {
  const first = names.get(ident.name);
  const adapter = ctx.declaredNames.has(ident.name);
  if (first === undefined && !adapter) {
    names.set(ident.name, ident);
    return true;
  }
  const labels = first ? [{ span: first.span, message: "first used here" }] : [];
  const help = `choose another name for the ${what}`;
  report(
    diag(
      "ADAPT140",
      ident.span,
      `\`${ident.name}\` already names ${first ? "a loaded adapter or fusion" : "an adapter"}`,
      {
        labels,
        help,
      },
    ),
  );
  return false;
}

function members(
  stmt: A.StackStmt | A.FuseStmt,
  known: ReadonlySet<string>,
  taken: Map<string, A.StackStmt | A.FuseStmt>,
  report: Report,
): boolean {
  const word = stmt.kind === "Stack" ? "stack" : "fusion";
  let ok = true;
  const distinct = new Set(stmt.members.map((m) => m.name));
  if (distinct.size < 2 || distinct.size !== stmt.members.length) {
    const why = distinct.size !== stmt.members.length ? "names an adapter twice" : "has one member";
    report(diag("ADAPT142", stmt.span, `a ${word} needs at least two different adapters, but this one ${why}`));
    ok = false;
  }
  for (const m of stmt.members) {
    if (!known.has(m.name)) {
      report(unknown(m, known, `${word} member`));
      ok = false;
      continue;
    }
    const other = taken.get(m.name);
    if (other !== undefined && other !== stmt) {
      report(
        diag("ADAPT144", m.span, `\`${m.name}\` is already in the ${word} on line ${other.span.start.line}`, {
          labels: [{ span: other.span, message: `the first ${word}` }],
        }),
      );
      ok = false;
    } else taken.set(m.name, stmt);
  }
  return ok;
}

function unknown(ident: A.Ident, known: ReadonlySet<string>, what: string) {
  return diag("ADAPT141", ident.span, `the ${what} \`${ident.name}\` is not a declared, loaded or fused adapter`, {
    help: didYouMean(ident.name, known),
  });
}

/** Checks the names of the composition statements; the valid ones go to `ctx.results`. */
export function checkCompositions(ctx: CheckContext, report: Report): void {
  const names = new Map<string, A.Ident>();
  for (const u of ctx.uses) if (declare(u.name, "loaded adapter", names, ctx, report)) ctx.results.uses.push(u);
  const placed = new Set([...ctx.declaredNames, ...names.keys()]);
  const stacked = new Map<string, A.StackStmt | A.FuseStmt>();
  for (const s of ctx.stacks) if (members(s, placed, stacked, report)) ctx.results.stacks.push(s);
  const fused = new Map<string, A.StackStmt | A.FuseStmt>();
  for (const f of ctx.fuses) {
    const ok = members(f, placed, fused, report);
    if (declare(f.name, "fusion", names, ctx, report) && ok) ctx.results.fuses.push(f);
  }
  const targets = new Set([...ctx.declaredNames, ...names.keys()]);
  for (const r of ctx.rules) {
    if (r.target.kind !== "Named" || targets.has(r.target.name.name)) continue;
    report(unknown(r.target.name, targets, "rule target"));
    ctx.results.badRules.add(r);
  }
}

/** The rule `compositions` under the check-rule contract. */
export const compositionsRule: CheckRule = {
  name: "compositions",
  codes: ["ADAPT140", "ADAPT141", "ADAPT142", "ADAPT144"],
  run: checkCompositions,
};
