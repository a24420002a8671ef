/**
 * Rule `head` (ADAPT104 unknown head kind, ADAPT110-114 for its arguments): the task head is
 * `classifier(classes: N, pool: cls|mean, dropout: p)` or `regression(pool: ..., dropout: p)`.
 */
import { HEAD_KINDS } from "../../grammar/tokens.ts";
import { HEAD_ARGS } from "../schema/args.ts";
import { resolveTypedArgs } from "../schema/resolve-args.ts";
import { diag, hasErrors, type StageResult } from "../diagnostics/diagnostic.ts";
import { didYouMean, orList } from "../diagnostics/suggest.ts";
import type { CheckedHead } from "../frontend/checked.ts";
import type { CheckContext, CheckRule } from "./context.ts";

function typed<A, B>(r: StageResult<A>, f: (a: A) => B): StageResult<B> {
  return { value: f(r.value), diagnostics: r.diagnostics };
}

/** Checks the (first) head statement and resolves its arguments. */
export function checkHead(ctx: CheckContext): StageResult<CheckedHead | null> {
  const stmt = ctx.heads[0];
  if (stmt === undefined) return { value: null, diagnostics: [] };
  const kind = stmt.headKind.name;
  if (kind !== "classifier" && kind !== "regression") {
    const help = didYouMean(kind, HEAD_KINDS) ?? `the heads are ${orList(HEAD_KINDS)}`;
    return {
      value: null,
      diagnostics: [diag("ADAPT104", stmt.headKind.span, `unknown head kind \`${kind}\``, { help })],
    };
  }
  const span = stmt.headKind.span;
  const head: StageResult<CheckedHead> =
    kind === "classifier"
      ? typed(resolveTypedArgs(stmt.args, HEAD_ARGS.classifier, kind, span), (args) => ({ kind, args, stmt }))
      : typed(resolveTypedArgs(stmt.args, HEAD_ARGS.regression, kind, span), (args) => ({ kind, args, stmt }));
  return hasErrors(head.diagnostics) ? { value: null, diagnostics: head.diagnostics } : head;
}

/** The rule `head` under the check-rule contract. */
export const headRule: CheckRule = {
  name: "head",
  codes: ["ADAPT104", "ADAPT110", "ADAPT111", "ADAPT112", "ADAPT113", "ADAPT114"],
  run: (ctx, report) => {
    const r = checkHead(ctx);
    r.diagnostics.forEach(report);
    ctx.results.head = r.value;
  },
};
