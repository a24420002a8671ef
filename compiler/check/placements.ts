/**
 * Rule `placements` (ADAPT101 undeclared adapter, ADAPT105 insert with a weight-level adapter,
 * ADAPT106 apply with a module adapter, ADAPT107 position does not suit the kind): `insert` takes the
 * registry's module-level kinds at their positions, `apply` its weight-level kinds.
 */
import type * as A from "../../grammar/ast.ts";
import { diag, type Diagnostic, type StageResult } from "../diagnostics/diagnostic.ts";
import { didYouMean, orList } from "../diagnostics/suggest.ts";
import { kindNamed, MODULE_KINDS } from "../kinds/registry.ts";
import type { CheckedAdapter } from "../frontend/checked.ts";
import { isDeclared } from "./adapter-declarations.ts";
import type { CheckContext, CheckRule } from "./context.ts";

/** Checks every `insert` and `apply`; returns those that can be compiled. */
export function checkPlacements(
  ctx: CheckContext,
  adapters: ReadonlyMap<string, CheckedAdapter>,
): StageResult<(A.InsertStmt | A.ApplyStmt)[]> {
  const diagnostics: Diagnostic[] = [];
  const valid: (A.InsertStmt | A.ApplyStmt)[] = [];
  for (const p of ctx.placements) {
    const name = p.adapter.name;
    const adapter = adapters.get(name);
    if (adapter === undefined) {
      if (!isDeclared(ctx, name)) diagnostics.push(undeclared(ctx, p.adapter));
      continue;
    }
    const problem = p.kind === "Insert" ? insertProblem(p, adapter) : applyProblem(p, adapter);
    if (problem) diagnostics.push(problem);
    else valid.push(p);
  }
  return { value: valid, diagnostics };
}

const helps = new WeakMap<CheckContext, Map<string, string>>();

/** ADAPT101 for a name no statement declares, with a suggestion (computed once per name and spec). */
export function undeclared(ctx: CheckContext, name: A.Ident): Diagnostic {
  let known = helps.get(ctx);
  if (known === undefined) helps.set(ctx, (known = new Map()));
  let help = known.get(name.name);
  if (help === undefined) {
    help =
      didYouMean(
        name.name,
        ctx.adapterDecls.map((d) => d.name.name),
      ) ?? `declare it with \`adapter ${name.name} = ...\``;
    known.set(name.name, help);
  }
  return diag("ADAPT101", name.span, `adapter \`${name.name}\` is not declared`, { help });
}

function insertProblem(p: A.InsertStmt, a: CheckedAdapter): Diagnostic | undefined {
  if (a.def.level === "weight") {
    const help = `use \`apply ${a.name} to ...\` for weight-level adapters`;
    return diag("ADAPT105", p.adapter.span, `\`${a.name}\` is a \`${a.kind}\` adapter, which \`insert\` cannot place`, {
      help,
    });
  }
  if (a.def.positions.includes(p.position)) return undefined;
  const where = orList(a.def.positions);
  const other = MODULE_KINDS.find((k) => kindNamed(k)?.positions.includes(p.position));
  const help =
    other === undefined ? undefined : `declare it as \`${other}(...)\` to place it \`${p.position}\` a layer`;
  return diag(
    "ADAPT107",
    p.positionSpan,
    `\`${a.name}\` is a \`${a.kind}\` adapter, so it goes ${where}, not \`${p.position}\``,
    { help },
  );
}

function applyProblem(p: A.ApplyStmt, a: CheckedAdapter): Diagnostic | undefined {
  if (a.def.level === "weight") return undefined;
  const help = `use \`insert ${a.name} ${a.def.positions[0] ?? "after"} ...\` for module adapters`;
  return diag("ADAPT106", p.adapter.span, `\`${a.name}\` is a \`${a.kind}\` adapter, which \`apply\` cannot place`, {
    help,
  });
}

/** The rule `placements` under the check-rule contract. */
export const placementsRule: CheckRule = {
  name: "placements",
  codes: ["ADAPT101", "ADAPT105", "ADAPT106", "ADAPT107"],
  run: (ctx, report) => {
    const r = checkPlacements(ctx, ctx.results.adapters);
    r.diagnostics.forEach(report);
    ctx.results.placements = r.value;
  },
};
