/**
 * Printers of AST nodes in the canonical layout: single spaces, `key: value` with a space after the
 * colon, `, ` between items, numbers as written, strings re-escaped.
 */
import type * as A from "../../grammar/ast.ts";

/** A string literal with `"` and `\` escaped. */
export function printString(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Any argument value. */
export function printValue(v: A.Value): string {
  switch (v.kind) {
    case "Number":
      return v.text;
    case "String":
      return printString(v.value);
    case "Name":
      return v.parts.map((p) => p.name).join(".");
    case "Call":
      return `${v.callee.name}(${printArgs(v.args)})`;
    case "List":
      return `[${v.items.map(printValue).join(", ")}]`;
    case "Alternatives":
      return v.options.map(printValue).join(" | ");
    case "Div":
      return `${v.dividend.name} / ${v.divisor.text}`;
  }
}

/** `k: v, k: v`. */
export function printArgs(args: readonly A.Arg[]): string {
  return args.map((a) => `${a.key.name}: ${printValue(a.value)}`).join(", ");
}

/** `0..3, 9`. */
export function printRanges(ranges: readonly A.Range[]): string {
  return ranges.map((r) => (r.to ? `${r.from.text}..${r.to.text}` : r.from.text)).join(", ");
}

/** A selector with its clauses. */
export function printSelector(s: A.Selector): string {
  const p = s.pattern;
  const parts = [p.kind === "Glob" ? printString(p.text) : `/${p.source}/${p.flags}`];
  if (s.layers) parts.push(`in layers ${printRanges(s.layers)}`);
  if (s.layerType) parts.push(`where type = ${s.layerType.name}`);
  if (s.expect) parts.push(`expect ${s.expect.text}`);
  return parts.join(" ");
}

/** The right-hand side of `size`. */
export function printSizeExpr(e: A.SizeExpr): string {
  if (e.kind === "SizeAlternatives") return e.options.map(printSizeExpr).join(" | ");
  return printValue(e);
}

/** A plan entry's value. */
export function printPlanValue(v: A.PlanValue): string {
  if (v.kind === "Pairs") return printArgs(v.args);
  return v.groups.map((g) => g.map(printValue).join(" ")).join(", ");
}

/** Column widths for aligning a run of similar statements. */
export interface Widths {
  readonly head: number;
  readonly name: number;
  readonly position: number;
}

/** One statement on one line (a plan block is printed by the formatter). */
export function printStatement(
  s: Exclude<A.Statement, A.PlanBlock | A.VariantBlock | A.InvalidStmt>,
  w: Widths,
): string {
  const pad = (text: string, width: number) => text.padEnd(width);
  switch (s.kind) {
    case "Model":
      return `model ${printString(s.path.value)}`;
    case "Use":
      return `use ${printString(s.path.value)} as ${s.name.name}`;
    case "Stack":
      return `stack ${s.members.map((m) => m.name).join(", ")}`;
    case "Fuse":
      return `fuse ${s.members.map((m) => m.name).join(", ")} as ${s.name.name}`;
    case "AdapterDecl":
      return `adapter ${pad(s.name.name, w.name)} = ${s.adapterKind.name}(${printArgs(s.args)})`;
    case "Insert":
      return `${pad("insert", w.head)} ${pad(s.adapter.name, w.name)} ${pad(s.position, w.position)} ${printSelector(s.selector)}`;
    case "Apply":
      return `${pad("apply", w.head)} ${pad(s.adapter.name, w.name)} ${pad("to", w.position)} ${printSelector(s.selector)}`;
    case "Size":
      return `size ${s.adapter.name} = ${printSizeExpr(s.expr)}${s.layers ? ` in layers ${printRanges(s.layers)}` : ""}`;
    case "Rule":
      return `${s.action} ${s.target.kind === "Group" ? s.target.group : s.target.kind === "Named" ? s.target.name.name : printSelector(s.target)}`;
    case "Head":
      return `head ${s.headKind.name}(${printArgs(s.args)})`;
  }
}
