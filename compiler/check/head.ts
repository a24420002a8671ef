/**
 * Rule `head` (ADAPT104 unknown head kind, ADAPT110-114 for its arguments): the task head is
 * `classifier(classes: N, pool: cls|mean, dropout: p)` or `regression(pool: ..., dropout: p)`.
 */
import { HEAD_KINDS } from "../../grammar/tokens.ts";
import { HEAD_ARGS } from "../schema/args.ts";
import { resolveArgs } from "../schema/resolve-args.ts";
import { diag, hasErrors, type StageResult } from "../diagnostics/diagnostic.ts";
import { didYouMean, orList } from "../diagnostics/suggest.ts";
import type { CheckedHead } from "../frontend/checked.ts";
import type { CheckContext } from "./context.ts";

/** Checks the (first) head statement and resolves its arguments. */
export function checkHead(ctx: CheckContext): StageResult<CheckedHead | null> {
  const stmt = ctx.heads[0];
  if (stmt === undefined) return { value: null, diagnostics: [] };
  const kind = stmt.headKind.name;
  if (!(HEAD_KINDS as readonly string[]).includes(kind)) {
    const help = didYouMean(kind, HEAD_KINDS) ?? `the heads are ${orList(HEAD_KINDS)}`;
    return {
      value: null,
      diagnostics: [diag("ADAPT104", stmt.headKind.span, `unknown head kind \`${kind}\``, { help })],
    };
  }
  const args = resolveArgs(stmt.args, HEAD_ARGS[kind]!, kind, stmt.headKind.span);
  if (hasErrors(args.diagnostics)) return { value: null, diagnostics: args.diagnostics };
  return { value: { kind: kind as CheckedHead["kind"], args: args.value, stmt }, diagnostics: args.diagnostics };
}
