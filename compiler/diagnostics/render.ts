/**
 * Rendering of diagnostics: rustc-style text (`error[ADAPT012]: ...`, ` --> file:line:col`, the source
 * lines with a gutter, a caret span under the primary place and a labelled `-` span under each secondary
 * one) and the JSON array of the command-line contract. A diagnostic about a file rather than a place in
 * it (a model, a weight, a backend) names the file and shows no source. Rendering is linear in the
 * number of diagnostics (each file is split into lines once), and `renderAll` shows at most `limit` of
 * them, then a count of the rest.
 */
import type { Span } from "../../grammar/ast.ts";
import type { Diagnostic } from "./diagnostic.ts";
import { plural } from "./suggest.ts";

/** Options for text rendering. */
export interface RenderOptions {
  /** ANSI colours. */
  readonly color?: boolean;
  /** `renderAll` shows at most this many diagnostics (default 200); the closing line counts them all. */
  readonly limit?: number;
}

/** The default of `RenderOptions.limit`. */
export const RENDER_LIMIT = 200;

const ANSI = { error: "31", warning: "33", note: "36", bold: "1", blue: "34" } as const;

function paint(on: boolean, code: string, text: string): string {
  return on ? `\x1b[${code}m${text}\x1b[0m` : text;
}

/** True for a span that marks no place in its file (zero width at its very start): the file is the place. */
export function isFileLevel(span: Span): boolean {
  return (
    span.start.offset === 0 &&
    span.end.offset === 0 &&
    span.start.line === 1 &&
    span.start.column === 1 &&
    span.end.line === 1 &&
    span.end.column === 1
  );
}

interface Mark {
  readonly span: Span;
  readonly primary: boolean;
  readonly label?: string;
}

function snippet(
  marks: readonly Mark[],
  lines: readonly string[],
  severity: Diagnostic["severity"],
  color: boolean,
  gutter: string,
): string[] {
  const bar = paint(color, ANSI.blue, "|");
  const out = [`${gutter} ${bar}`];
  const sorted = [...marks]
    .filter((m) => lines[m.span.start.line - 1] !== undefined)
    .sort((a, b) => a.span.start.line - b.span.start.line);
  let last = -1;
  for (const m of sorted) {
    const line = m.span.start.line;
    const shown = lines[line - 1]!.replace(/\r$/, "").replace(/\t/g, " ");
    if (line !== last) {
      if (last !== -1 && line > last + 1) out.push(paint(color, ANSI.blue, "..."));
      out.push(`${paint(color, ANSI.blue, String(line).padStart(gutter.length))} ${bar} ${shown}`);
    }
    last = line;
    const column = m.span.start.column;
    const endCol = m.span.end.line === line ? m.span.end.column : shown.length + 1;
    const width = Math.max(1, Math.min(endCol, shown.length + 1) - column);
    const underline = paint(color, m.primary ? ANSI[severity] : ANSI.blue, (m.primary ? "^" : "-").repeat(width));
    const label = m.label === undefined ? "" : ` ${paint(color, m.primary ? ANSI[severity] : ANSI.blue, m.label)}`;
    out.push(`${gutter} ${bar} ${" ".repeat(Math.max(0, column - 1))}${underline}${label}`);
  }
  return out;
}

function renderLines(d: Diagnostic, lines: readonly string[] | undefined, opts: RenderOptions): string {
  const color = opts.color ?? false;
  const { line, column } = d.span.start;
  const head = paint(color, `${ANSI.bold};${ANSI[d.severity]}`, `${d.severity}[${d.code}]`);
  const out = [`${head}${paint(color, ANSI.bold, `: ${d.message}`)}`];
  const fileLevel = isFileLevel(d.span) && (d.labels ?? []).length === 0;
  const marks: Mark[] = [
    { span: d.span, primary: true },
    ...(d.labels ?? []).map((l) => ({ span: l.span, primary: false, label: l.message })),
  ];
  const widest = Math.max(...marks.map((m) => m.span.start.line));
  const gutter = " ".repeat(String(fileLevel ? 0 : widest).length);
  const where = fileLevel ? `${d.file ?? "<input>"}` : `${d.file ?? "<input>"}:${line}:${column}`;
  out.push(`${gutter}${paint(color, ANSI.blue, "-->")} ${where}`);
  if (!fileLevel && lines !== undefined && lines[line - 1] !== undefined)
    out.push(...snippet(marks, lines, d.severity, color, gutter));
  for (const n of d.notes ?? []) out.push(`${gutter} = note: ${n}`);
  if (d.help !== undefined) out.push(`${gutter} = help: ${d.help}`);
  return out.join("\n");
}

/** Renders one diagnostic against the source text it points into. */
export function renderText(d: Diagnostic, source: string | undefined, opts: RenderOptions = {}): string {
  return renderLines(d, source?.split("\n"), opts);
}

/** Renders several diagnostics (at most `opts.limit`), each followed by a blank line, and a closing count. */
export function renderAll(
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, string>,
  opts: RenderOptions = {},
): string {
  if (diagnostics.length === 0) return "";
  const limit = Math.max(0, opts.limit ?? RENDER_LIMIT);
  const split = new Map<string, readonly string[]>();
  const linesOf = (file: string | undefined): readonly string[] | undefined => {
    const text = sources.get(file ?? "");
    if (text === undefined) return undefined;
    let lines = split.get(file ?? "");
    if (lines === undefined) split.set(file ?? "", (lines = text.split("\n")));
    return lines;
  };
  const blocks = diagnostics.slice(0, limit).map((d) => renderLines(d, linesOf(d.file), opts));
  const left = diagnostics.length - blocks.length;
  if (left > 0) blocks.push(`... and ${plural(left, "more diagnostic")} not shown (\`--format json\` lists them all)`);
  let errors = 0;
  let warnings = 0;
  for (const d of diagnostics) {
    if (d.severity === "error") errors++;
    else if (d.severity === "warning") warnings++;
  }
  const parts = [errors > 0 ? plural(errors, "error") : "", warnings > 0 ? plural(warnings, "warning") : ""];
  const summary = parts.filter(Boolean).join(", ");
  return `${blocks.join("\n\n")}\n\n${summary.length > 0 ? `${summary} found\n` : ""}`;
}

/** One entry of the JSON rendering; lines and columns are 1-based, `endColumn` is exclusive. */
export interface JsonDiagnostic {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: string;
  code: string;
  message: string;
  help?: string;
  notes?: string[];
  /** Secondary places: 1-based line and column, exclusive end column, and what each one is. */
  labels?: { line: number; column: number; endLine: number; endColumn: number; message: string }[];
}

/** The JSON rendering of the contract: one object per diagnostic. */
export function toJson(diagnostics: readonly Diagnostic[]): JsonDiagnostic[] {
  return diagnostics.map((d) => ({
    file: d.file ?? "<input>",
    line: d.span.start.line,
    column: d.span.start.column,
    endLine: d.span.end.line,
    endColumn: d.span.end.column,
    severity: d.severity,
    code: d.code,
    message: d.message,
    ...(d.help !== undefined ? { help: d.help } : {}),
    ...(d.notes !== undefined ? { notes: [...d.notes] } : {}),
    ...(d.labels !== undefined && d.labels.length > 0
      ? {
          labels: d.labels.map((l) => ({
            line: l.span.start.line,
            column: l.span.start.column,
            endLine: l.span.end.line,
            endColumn: l.span.end.column,
            message: l.message,
          })),
        }
      : {}),
  }));
}
