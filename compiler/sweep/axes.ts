/**
 * Rules `sweep-axes` (ADAPT007 alternatives where a single value is required, ADAPT009 a misplaced
 * `for best`, ADAPT324 an alternative given twice): finds every `A | B | ...` in a variant's statements
 * and names it after where it is (`optimizer.lr`, `epochs`, `h.size`, `size h in layers 0..5`,
 * `head.dropout`); `seed A | B [for best]` is the replicate axis.
 */
import type * as A from "../../grammar/ast.ts";
import { joinSpans } from "../../grammar/visitor.ts";
import { diag, type Diagnostic, type StageResult } from "../diagnostics/diagnostic.ts";
import { printRanges, printSizeExpr, printValue } from "../format/print.ts";
import type { AxisOption, AxisValue } from "./types.ts";

/** An axis as found, before it gets its id key. */
export interface FoundAxis {
  readonly name: string;
  readonly options: readonly AxisOption[];
  readonly span: A.Span;
  readonly seed: boolean;
  /** The span of `for best` after the seeds, when present (dropped from the points' text). */
  readonly forBest: A.Span | null;
}

/** Plan keys whose value must be one value: the sweep's folder and its selection rule. */
const SINGLE_VALUED = ["output", "select"];

/** The axes of a list of statements, in source order. */
export function findAxes(statements: readonly A.Statement[]): StageResult<FoundAxis[]> {
  const found: FoundAxis[] = [];
  const diagnostics: Diagnostic[] = [];
  const visit = (prefix: string, v: A.Value, depth: number): void => {
    if (v.kind === "Alternatives") {
      if (depth > 0)
        diagnostics.push(diag("ADAPT007", v.span, "alternatives cannot be nested inside another alternative"));
      else found.push(axis(prefix, v.options.map(option), v.span, diagnostics));
      v.options.forEach((o) => visit(prefix, o, depth + 1));
    } else if (v.kind === "Call") v.args.forEach((a) => visit(`${prefix}.${a.key.name}`, a.value, depth));
    else if (v.kind === "List") v.items.forEach((item) => visit(prefix, item, depth));
  };
  for (const s of statements) {
    if (s.kind === "AdapterDecl") s.args.forEach((a) => visit(`${s.name.name}.${a.key.name}`, a.value, 0));
    else if (s.kind === "Head") s.args.forEach((a) => visit(`head.${a.key.name}`, a.value, 0));
    else if (s.kind === "Size" && s.expr.kind === "SizeAlternatives") {
      const name = `size ${s.adapter.name}${s.layers ? ` in layers ${printRanges(s.layers)}` : ""}`;
      found.push(axis(name, s.expr.options.map(sizeOption), s.expr.span, diagnostics));
    } else if (s.kind === "Plan") for (const e of s.entries) planEntry(e, found, diagnostics, visit);
  }
  return { value: found, diagnostics };
}

function planEntry(
  e: A.PlanEntry,
  found: FoundAxis[],
  diagnostics: Diagnostic[],
  visit: (p: string, v: A.Value, d: number) => void,
): void {
  const key = e.key.name;
  const values = e.value.kind === "Pairs" ? e.value.args.map((a) => a.value) : e.value.groups.flat();
  if (SINGLE_VALUED.includes(key)) {
    for (const v of values.filter((x) => x.kind === "Alternatives")) {
      const what = key === "output" ? "the sweep's folder" : "the selection rule";
      diagnostics.push(diag("ADAPT007", v.span, `\`${key}\` is ${what} and takes one value, not alternatives`));
    }
    return;
  }
  const before = found.length;
  if (e.value.kind === "Pairs") e.value.args.forEach((a) => visit(`${key}.${a.key.name}`, a.value, 0));
  else for (const group of e.value.groups) for (const w of group) visit(key, w, 0);
  const forBest = forBestSpan(e, diagnostics);
  if (key !== "seed") return;
  const mine = found.splice(before);
  const alt = mine.find((a) => a.name === "seed");
  if (alt) found.push({ ...alt, seed: true, forBest });
  else if (forBest)
    diagnostics.push(
      diag("ADAPT009", forBest, "`for best` needs seeds to choose from", { help: "write `seed 1 | 2 | 3 for best`" }),
    );
  found.push(...mine.filter((a) => a !== alt));
}

/** The span of a trailing `for best`; ADAPT009 where `for` appears anywhere else in a plan entry. */
function forBestSpan(e: A.PlanEntry, diagnostics: Diagnostic[]): A.Span | null {
  if (e.value.kind !== "Words") return null;
  const words = e.value.groups.flat();
  const at = words.findIndex((w) => isWord(w, "for"));
  if (at < 0) return null;
  const ok =
    e.key.name === "seed" && e.value.groups.length === 1 && at === 1 && words.length === 3 && isWord(words[2]!, "best");
  if (ok) return joinSpans(words[1]!.span, words[2]!.span);
  const message =
    e.key.name === "seed"
      ? "`for best` ends the `seed` entry, after its alternatives"
      : "`for best` only follows the alternatives of `seed`";
  diagnostics.push(diag("ADAPT009", words[at]!.span, message, { help: "write `seed 1 | 2 | 3 for best`" }));
  return null;
}

function isWord(v: A.Value, word: string): boolean {
  return v.kind === "Name" && v.parts.length === 1 && v.parts[0]!.name === word;
}

function axis(name: string, options: AxisOption[], span: A.Span, diagnostics: Diagnostic[]): FoundAxis {
  const seen = new Map<string, AxisOption>();
  for (const o of options) {
    const key = typeof o.value === "number" ? `#${o.value}` : o.text;
    const first = seen.get(key);
    if (first)
      diagnostics.push(
        diag("ADAPT324", o.span, `\`${o.text}\` is already an alternative of \`${name}\``, {
          notes: [`the first is at line ${first.span.start.line}, column ${first.span.start.column}`],
        }),
      );
    else seen.set(key, o);
  }
  return { name, options, span, seed: false, forBest: null };
}

function option(v: A.Value): AxisOption {
  const value: AxisValue = v.kind === "Number" ? v.value : v.kind === "String" ? v.value : printValue(v);
  return { value, text: printValue(v), span: v.span };
}

function sizeOption(e: A.SingleSizeExpr): AxisOption {
  return { value: e.kind === "Number" ? e.value : printSizeExpr(e), text: printSizeExpr(e), span: e.span };
}

/** True when a spec uses any sweep construct: variants, alternatives, or `for best`. */
export function isSweepSpec(spec: A.Spec): boolean {
  return sweepSpan(spec) !== null;
}

/** The span of the first sweep construct of a spec (a variant, alternatives, `for`), or null. */
export function sweepSpan(spec: A.Spec): A.Span | null {
  const inValue = (v: A.Value): A.Span | null => {
    if (v.kind === "Alternatives" || isWord(v, "for")) return v.span;
    const inner = v.kind === "Call" ? v.args.map((a) => a.value) : v.kind === "List" ? v.items : [];
    for (const x of inner) {
      const found = inValue(x);
      if (found) return found;
    }
    return null;
  };
  const first = (values: readonly A.Value[]) => values.map(inValue).find((x) => x !== null) ?? null;
  for (const s of spec.statements) {
    let found: A.Span | null = null;
    if (s.kind === "Variant") found = s.span;
    else if (s.kind === "AdapterDecl" || s.kind === "Head") found = first(s.args.map((a) => a.value));
    else if (s.kind === "Size" && s.expr.kind === "SizeAlternatives") found = s.expr.span;
    else if (s.kind === "Plan")
      found = first(
        s.entries.flatMap((e) => (e.value.kind === "Pairs" ? e.value.args.map((a) => a.value) : e.value.groups.flat())),
      );
    if (found) return found;
  }
  return null;
}
