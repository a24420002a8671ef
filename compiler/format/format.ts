/**
 * `adapt fmt`: the canonical layout of a spec. Statements keep their order; comments are kept (a
 * comment inside a multi-line statement moves above it); runs of blank lines become one; consecutive
 * adapter declarations and consecutive `insert`/`apply` lines are aligned in columns; plan keys are
 * padded to one column. Formatting formatted text changes nothing.
 */
import type * as A from "../../grammar/ast.ts";
import { parseSpec } from "../frontend/parse.ts";
import { hasErrors, type StageResult } from "../diagnostics/diagnostic.ts";
import { printPlanValue, printStatement, type Widths } from "./print.ts";

type Printable = Exclude<A.Statement, A.InvalidStmt>;

/** Formats `text`; returns null (with the syntax errors) when it does not parse. */
export function formatText(text: string): StageResult<string | null> {
  const parsed = parseSpec(text);
  if (hasErrors(parsed.diagnostics)) return { value: null, diagnostics: parsed.diagnostics };
  return { value: formatSpec(parsed.value), diagnostics: parsed.diagnostics };
}

/** Formats a spec that parsed without errors. */
export function formatSpec(spec: A.Spec): string {
  const statements = spec.statements.filter((s): s is Printable => s.kind !== "Invalid");
  const used = new Set<A.Comment>();
  const commentLines = new Set(spec.comments.map((c) => c.span.start.line));
  const out: string[] = [];
  let lastLine = 0;
  statements.forEach((s, i) => {
    const leading = spec.comments.filter((c) => !used.has(c) && c.span.start.offset < s.span.start.offset);
    for (const c of leading) {
      pushBlank(out, lastLine, c.span.start.line);
      out.push(c.text);
      used.add(c);
      lastLine = c.span.start.line;
    }
    pushBlank(out, lastLine, s.span.start.line);
    const inner = s.kind === "Plan" ? [] : spec.comments.filter((c) => !used.has(c) && within(c, s) && !trailing(c, s));
    for (const c of inner) {
      out.push(c.text);
      used.add(c);
    }
    const tail = spec.comments.find((c) => !used.has(c) && trailing(c, s));
    if (tail) used.add(tail);
    const lines = s.kind === "Plan" ? printPlan(s, spec.comments, used) : [printStatement(s, widthsAround(statements, i, commentLines))];
    if (tail) lines[lines.length - 1] += ` ${tail.text}`;
    out.push(...lines);
    lastLine = s.span.end.line;
  });
  for (const c of spec.comments.filter((c) => !used.has(c))) {
    pushBlank(out, lastLine, c.span.start.line);
    out.push(c.text);
    lastLine = c.span.start.line;
  }
  return out.length === 0 ? "" : `${out.join("\n")}\n`;
}

function pushBlank(out: string[], lastLine: number, line: number): void {
  if (out.length > 0 && line > lastLine + 1) out.push("");
}

function within(c: A.Comment, s: { span: A.Span }): boolean {
  return c.span.start.offset > s.span.start.offset && c.span.start.offset < s.span.end.offset;
}

function trailing(c: A.Comment, s: { span: A.Span }): boolean {
  return c.span.start.line === s.span.end.line && c.span.start.offset >= s.span.end.offset;
}

type Group = "decl" | "place" | "other";

function group(s: Printable): Group {
  return s.kind === "AdapterDecl" ? "decl" : s.kind === "Insert" || s.kind === "Apply" ? "place" : "other";
}

/** The column widths of the run of same-group statements around `i` with no blank line between them. */
function widthsAround(statements: readonly Printable[], i: number, commentLines: ReadonlySet<number>): Widths {
  const g = group(statements[i]!);
  let lo = i;
  let hi = i;
  const adjacent = (a: Printable, b: Printable) => {
    if (group(b) !== g) return false;
    for (let line = a.span.end.line + 1; line < b.span.start.line; line++) if (!commentLines.has(line)) return false;
    return true;
  };
  while (lo > 0 && adjacent(statements[lo - 1]!, statements[lo]!)) lo--;
  while (hi < statements.length - 1 && adjacent(statements[hi]!, statements[hi + 1]!)) hi++;
  const run = statements.slice(lo, hi + 1);
  const names = run.map((s) => (s.kind === "AdapterDecl" ? s.name.name : s.kind === "Insert" || s.kind === "Apply" ? s.adapter.name : ""));
  const positions = run.map((s) => (s.kind === "Insert" ? s.position : s.kind === "Apply" ? "to" : ""));
  const heads = run.map((s) => (s.kind === "Insert" ? "insert" : s.kind === "Apply" ? "apply" : ""));
  return { head: maxLen(heads), name: maxLen(names), position: maxLen(positions) };
}

function maxLen(xs: readonly string[]): number {
  return Math.max(0, ...xs.map((x) => x.length));
}

function printPlan(p: A.PlanBlock, comments: readonly A.Comment[], used: Set<A.Comment>): string[] {
  const width = maxLen(p.entries.map((e) => e.key.name)) + 1;
  const lines = ["plan {"];
  let lastLine = p.span.start.line;
  for (const e of p.entries) {
    for (const c of comments.filter((c) => !used.has(c) && within(c, p) && c.span.start.offset < e.span.start.offset)) {
      pushBlank(lines, lastLine, c.span.start.line);
      lines.push(`  ${c.text}`);
      used.add(c);
      lastLine = c.span.start.line;
    }
    pushBlank(lines, lastLine, e.span.start.line);
    const inner = comments.filter((c) => !used.has(c) && within(c, e) && !trailing(c, e));
    for (const c of inner) {
      lines.push(`  ${c.text}`);
      used.add(c);
    }
    const tail = comments.find((c) => !used.has(c) && trailing(c, e));
    lines.push(`  ${e.key.name.padEnd(width)}${printPlanValue(e.value)}${tail ? ` ${tail.text}` : ""}`);
    if (tail) used.add(tail);
    lastLine = e.span.end.line;
  }
  for (const c of comments.filter((c) => !used.has(c) && within(c, p))) {
    lines.push(`  ${c.text}`);
    used.add(c);
  }
  lines.push("}");
  return lines;
}
