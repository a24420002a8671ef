/**
 * Rendering of diagnostics: rustc-style text (`error[ADAPT012]: ...`, ` --> file:line:col`, the source
 * line with a gutter and a caret span) and the JSON array of the command-line contract.
 */
import type { Diagnostic } from "./diagnostic.ts";
import { plural } from "./suggest.ts";

/** Options for text rendering. */
export interface RenderOptions {
  /** ANSI colours. */
  readonly color?: boolean;
}

const ANSI = { error: "31", warning: "33", note: "36", bold: "1", blue: "34" } as const;

function paint(on: boolean, code: string, text: string): string {
  return on ? `\x1b[${code}m${text}\x1b[0m` : text;
}

/** Renders one diagnostic against the source text it points into. */
export function renderText(d: Diagnostic, source: string | undefined, opts: RenderOptions = {}): string {
  const color = opts.color ?? false;
  const { line, column } = d.span.start;
  const head = paint(color, `${ANSI.bold};${ANSI[d.severity]}`, `${d.severity}[${d.code}]`);
  const out = [`${head}${paint(color, ANSI.bold, `: ${d.message}`)}`];
  const gutter = " ".repeat(String(line).length);
  const bar = paint(color, ANSI.blue, "|");
  out.push(`${gutter}${paint(color, ANSI.blue, "-->")} ${d.file ?? "<input>"}:${line}:${column}`);
  const lines = source?.split("\n");
  const text = lines?.[line - 1];
  if (text !== undefined) {
    const shown = text.replace(/\r$/, "").replace(/\t/g, " ");
    const endCol = d.span.end.line === line ? d.span.end.column : shown.length + 1;
    const width = Math.max(1, Math.min(endCol, shown.length + 1) - column);
    const caret = paint(color, ANSI[d.severity], "^".repeat(width));
    out.push(`${gutter} ${bar}`);
    out.push(`${paint(color, ANSI.blue, String(line))} ${bar} ${shown}`);
    out.push(`${gutter} ${bar} ${" ".repeat(Math.max(0, column - 1))}${caret}`);
  }
  for (const n of d.notes ?? []) out.push(`${gutter} = note: ${n}`);
  if (d.help !== undefined) out.push(`${gutter} = help: ${d.help}`);
  return out.join("\n");
}

/** Renders several diagnostics, each followed by a blank line, and a closing count. */
export function renderAll(
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, string>,
  opts: RenderOptions = {},
): string {
  if (diagnostics.length === 0) return "";
  const blocks = diagnostics.map((d) => renderText(d, sources.get(d.file ?? ""), opts));
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.filter((d) => d.severity === "warning").length;
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
  }));
}
