/**
 * The diagnostic value every stage returns, and the `{ value, diagnostics }` result shape of stages.
 */
import type { Span } from "../../grammar/ast.ts";
import { CODES, type Code, type Severity } from "./codes.ts";

/** One problem found in a spec, a model or a plan, with the source span it is about. */
export interface Diagnostic {
  readonly code: Code;
  readonly severity: Severity;
  /** One sentence, lower-case start, no final period. */
  readonly message: string;
  readonly span: Span;
  /** The file the span is in; filled in by the stage that knows it. */
  readonly file?: string;
  /** A suggestion such as "did you mean `houlsby`?". */
  readonly help?: string;
  /** Further facts, one sentence each (e.g. the closest paths). */
  readonly notes?: readonly string[];
  /** Secondary labelled places in the same file (e.g. "first declared here"), as rustc shows them. */
  readonly labels?: readonly Label[];
}

/** A secondary place of a diagnostic and what it is. */
export interface Label {
  readonly span: Span;
  readonly message: string;
}

/** What every stage returns: its value (possibly partial) and all the problems it found. */
export interface StageResult<T> {
  readonly value: T;
  readonly diagnostics: readonly Diagnostic[];
}

/** Optional parts of a diagnostic. */
export interface DiagnosticExtras {
  readonly help?: string | undefined;
  readonly notes?: readonly string[] | undefined;
  readonly severity?: Severity | undefined;
  readonly labels?: readonly Label[] | undefined;
}

/** Makes a diagnostic with the code's default severity. */
export function diag(code: Code, span: Span, message: string, extras: DiagnosticExtras = {}): Diagnostic {
  const d: Diagnostic = { code, severity: extras.severity ?? CODES[code].severity, message, span };
  return {
    ...d,
    ...(extras.help !== undefined ? { help: extras.help } : {}),
    ...(extras.notes !== undefined && extras.notes.length > 0 ? { notes: extras.notes } : {}),
    ...(extras.labels !== undefined && extras.labels.length > 0 ? { labels: extras.labels } : {}),
  };
}

/** True when any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Orders diagnostics by position, then code, for stable output. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      (a.file === b.file ? 0 : (a.file ?? "").localeCompare(b.file ?? "")) ||
      a.span.start.offset - b.span.start.offset ||
      (a.code === b.code ? 0 : a.code.localeCompare(b.code)),
  );
}

/** A zero-width span at the start of a file, for problems with no better place. */
export const FILE_START: Span = {
  start: { line: 1, column: 1, offset: 0 },
  end: { line: 1, column: 1, offset: 0 },
};
