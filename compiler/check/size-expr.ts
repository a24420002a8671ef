/**
 * The model-free problems of a size expression (ADAPT202 not a positive integer, ADAPT203 division by
 * zero, ADAPT204 bad divisor, ADAPT206 unknown size variable), shared by the `size` statement and an
 * adapter's own size argument (`bottleneck(size: d / 16)`).
 */
import type * as A from "../../grammar/ast.ts";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.ts";

/** The problems of a size expression on its own: a positive integer, `d / k`, a list of them, or sweep alternatives of these. */
export function exprProblems(e: A.SizeExpr): Diagnostic[] {
  if (e.kind === "SizeAlternatives") return e.options.flatMap(exprProblems);
  if (e.kind === "Number") return positiveInt(e);
  if (e.kind === "List") {
    return e.items.flatMap((item) =>
      item.kind === "Number"
        ? positiveInt(item)
        : [diag("ADAPT202", item.span, "a size list holds positive integers, one per layer")],
    );
  }
  const out: Diagnostic[] = [];
  if (e.dividend.name !== "d") {
    const help = "`d` is the site's feature size; write `d / k`";
    out.push(diag("ADAPT206", e.dividend.span, `unknown size variable \`${e.dividend.name}\``, { help }));
  }
  if (e.divisor.value === 0) out.push(diag("ADAPT203", e.divisor.span, "the size divides `d` by zero"));
  else if (!e.divisor.integer || e.divisor.value < 0) {
    out.push(diag("ADAPT204", e.divisor.span, `\`d\` is divided by a positive integer, not ${e.divisor.text}`));
  }
  return out;
}

function positiveInt(n: A.NumberLit): Diagnostic[] {
  if (n.integer && n.value > 0) return [];
  return [diag("ADAPT202", n.span, `a size is a positive integer, not ${n.text}`)];
}
