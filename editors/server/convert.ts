/**
 * Compiler values to LSP values: diagnostics (code, severity, help and notes) and whole-document edits.
 */
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic, type TextEdit } from "vscode-languageserver";
import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import { formatText } from "../../compiler/format/format.ts";
import { toLspRange } from "./positions.ts";

const SEVERITY = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  note: DiagnosticSeverity.Information,
} as const;

/** One compiler diagnostic as an LSP diagnostic; help and notes follow the message. */
export function toLspDiagnostic(d: Diagnostic): LspDiagnostic {
  const extra = [...(d.help !== undefined ? [`help: ${d.help}`] : []), ...(d.notes ?? []).map((n) => `note: ${n}`)];
  return {
    range: toLspRange(d.span),
    severity: SEVERITY[d.severity],
    code: d.code,
    source: "adapt",
    message: [d.message, ...extra].join("\n"),
  };
}

/** The edits that format a document with `adapt fmt`; none when it does not parse or is formatted. */
export function formatEdits(text: string): TextEdit[] {
  const formatted = formatText(text).value;
  if (formatted === null || formatted === text) return [];
  const lines = text.split("\n");
  const end = { line: lines.length - 1, character: lines[lines.length - 1]!.length };
  return [{ range: { start: { line: 0, character: 0 }, end }, newText: formatted }];
}
