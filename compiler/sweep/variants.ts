/**
 * Rule `sweep-variants` (ADAPT008 a statement a variant cannot hold, ADAPT321 `extends` an unknown
 * variant, ADAPT322 a cycle of `extends`, ADAPT323 a variant declared twice): the variants of a spec
 * and each one's effective statements: the top-level ones, then its base's, then its own. A variant's
 * `plan { }` entries replace the entries of the same key; its `adapter NAME` and `head` replace the
 * earlier ones in place; a `size` with the same adapter and layers as an earlier one drops the earlier.
 */
import type * as A from "../../grammar/ast.ts";
import { diag, FILE_START, type Diagnostic, type StageResult } from "../diagnostics/diagnostic.ts";
import { didYouMean } from "../diagnostics/suggest.ts";
import { printRanges } from "../format/print.ts";

/** A variant before its axes are known. */
export interface VariantStatements {
  readonly name: string;
  readonly span: A.Span;
  readonly statements: A.Statement[];
}

/** The implicit variant's name when a spec declares none. */
export const DEFAULT_VARIANT = "default";

/** The variants of `spec` in source order (or the implicit `default`), with their effective statements. */
export function resolveVariants(spec: A.Spec): StageResult<VariantStatements[]> {
  const diagnostics: Diagnostic[] = [];
  const top = spec.statements.filter((s) => s.kind !== "Variant");
  const blocks = spec.statements.filter((s): s is A.VariantBlock => s.kind === "Variant");
  if (blocks.length === 0)
    return { value: [{ name: DEFAULT_VARIANT, span: FILE_START, statements: [...top] }], diagnostics };
  const byName = new Map<string, A.VariantBlock>();
  for (const b of blocks) {
    const first = byName.get(b.name.text);
    if (first)
      diagnostics.push(
        diag("ADAPT323", b.name.span, `variant \`${b.name.text}\` is declared twice`, {
          notes: [`the first is on line ${first.span.start.line}`],
        }),
      );
    else byName.set(b.name.text, b);
    for (const s of b.statements) {
      if (s.kind === "Model" || s.kind === "Variant") {
        const what = s.kind === "Model" ? "`model`" : "another variant";
        diagnostics.push(
          diag("ADAPT008", s.span, `a variant cannot hold ${what}`, {
            help:
              s.kind === "Model"
                ? "every variant adapts the same model; use `--model` to change it"
                : "use `extends` to build on a variant",
          }),
        );
      }
    }
  }
  const out: VariantStatements[] = [];
  for (const b of byName.values()) {
    const chain = chainOf(b, byName, diagnostics);
    if (chain === null) continue;
    let statements: A.Statement[] = [...top];
    for (const link of chain)
      statements = merge(
        statements,
        link.statements.filter((s) => s.kind !== "Model" && s.kind !== "Variant"),
      );
    out.push({ name: b.name.text, span: b.name.span, statements });
  }
  return { value: out, diagnostics };
}

/** The variants `b` builds on, base first, ending with `b`; null (reported) for an unknown base or a cycle. */
function chainOf(
  b: A.VariantBlock,
  byName: ReadonlyMap<string, A.VariantBlock>,
  diagnostics: Diagnostic[],
): A.VariantBlock[] | null {
  const chain: A.VariantBlock[] = [b];
  for (let cur = b; cur.base !== null;) {
    const base = byName.get(cur.base.text);
    if (base === undefined) {
      if (cur === b) {
        const help = didYouMean(cur.base.text, [...byName.keys()]);
        diagnostics.push(
          diag(
            "ADAPT321",
            cur.base.span,
            `variant \`${b.name.text}\` extends \`${cur.base.text}\`, which is not declared`,
            { help },
          ),
        );
      }
      return null;
    }
    if (chain.includes(base)) {
      if (base === b)
        diagnostics.push(
          diag(
            "ADAPT322",
            b.base!.span,
            `variant \`${b.name.text}\` extends itself through ${chain.map((c) => `\`${c.name.text}\``).join(" -> ")}`,
          ),
        );
      return null;
    }
    chain.unshift(base);
    cur = base;
  }
  return chain;
}

/** `statements` followed by `more`, with the replacements of the module doc. */
function merge(statements: readonly A.Statement[], more: readonly A.Statement[]): A.Statement[] {
  const out = [...statements];
  for (const s of more) {
    const at = out.findIndex((o) => replaces(s, o));
    if (s.kind === "Plan") {
      if (at < 0) out.push(s);
      else out[at] = mergePlans(out[at] as A.PlanBlock, s);
    } else if (at >= 0 && s.kind === "Size") {
      out.splice(at, 1);
      out.push(s);
    } else if (at >= 0) out[at] = s;
    else out.push(s);
  }
  return out;
}

function replaces(s: A.Statement, earlier: A.Statement): boolean {
  if (s.kind === "Plan" || s.kind === "Head") return earlier.kind === s.kind;
  if (s.kind === "AdapterDecl") return earlier.kind === "AdapterDecl" && earlier.name.name === s.name.name;
  if (s.kind === "Size")
    return earlier.kind === "Size" && earlier.adapter.name === s.adapter.name && layersText(earlier) === layersText(s);
  return false;
}

function layersText(s: A.SizeStmt): string {
  return s.layers ? printRanges(s.layers) : "";
}

function mergePlans(base: A.PlanBlock, over: A.PlanBlock): A.PlanBlock {
  const entries = [...base.entries];
  for (const e of over.entries) {
    const at = entries.findIndex((x) => x.key.name === e.key.name);
    if (at >= 0) entries[at] = e;
    else entries.push(e);
  }
  return { ...base, entries };
}
