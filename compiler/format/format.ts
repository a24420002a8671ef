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
  const comments = spec.comments;
  const widths = runWidths(statements, new Set(comments.map((c) => c.span.start.line)));
  const used = new Set<A.Comment>();
  const out: string[] = [];
  let lastLine = 0;
  let next = 0;
  const emit = (c: A.Comment, blankBefore: boolean) => {
    if (blankBefore) pushBlank(out, lastLine, c.span.start.line);
    out.push(c.text);
    used.add(c);
    lastLine = c.span.start.line;
  };
  statements.forEach((s, i) => {
    for (; next < comments.length && comments[next]!.span.start.offset < s.span.start.offset; next++)
      emit(comments[next]!, true);
    pushBlank(out, lastLine, s.span.start.line);
    const inside: A.Comment[] = [];
    for (; next < comments.length && comments[next]!.span.start.offset < s.span.end.offset; next++)
      inside.push(comments[next]!);
    let tail = comments[next];
    if (tail !== undefined && trailing(tail, s)) next++;
    else tail = undefined;
    if (s.kind !== "Plan") for (const c of inside) emit(c, false);
    const lines = s.kind === "Plan" ? printPlan(s, inside, used) : [printStatement(s, widths[i]!)];
    if (tail) {
      lines[lines.length - 1] += ` ${tail.text}`;
      used.add(tail);
    }
    out.push(...lines);
    lastLine = s.span.end.line;
  });
  for (; next < comments.length; next++) emit(comments[next]!, true);
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

/** Column widths per statement: runs of same-group statements with no blank line between share them. */
function runWidths(statements: readonly Printable[], commentLines: ReadonlySet<number>): Widths[] {
  const adjacent = (a: Printable, b: Printable) => {
    if (group(b) !== group(a) || group(a) === "other") return false;
    for (let line = a.span.end.line + 1; line < b.span.start.line; line++) if (!commentLines.has(line)) return false;
    return true;
  };
  const out: Widths[] = [];
  let lo = 0;
  for (let i = 0; i < statements.length; i++) {
    if (i + 1 < statements.length && adjacent(statements[i]!, statements[i + 1]!)) continue;
    const run = statements.slice(lo, i + 1);
    const names = run.map((s) =>
      s.kind === "AdapterDecl" ? s.name.name : s.kind === "Insert" || s.kind === "Apply" ? s.adapter.name : "",
    );
    const positions = run.map((s) => (s.kind === "Insert" ? s.position : s.kind === "Apply" ? "to" : ""));
    const heads = run.map((s) => (s.kind === "Insert" ? "insert" : s.kind === "Apply" ? "apply" : ""));
    const w = { head: maxLen(heads), name: maxLen(names), position: maxLen(positions) };
    for (let k = lo; k <= i; k++) out.push(w);
    lo = i + 1;
  }
  return out;
}

function maxLen(xs: readonly string[]): number {
  return Math.max(0, ...xs.map((x) => x.length));
}

/** The plan block; `comments` are those inside it. */
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
