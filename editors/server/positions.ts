/**
 * The one place where positions cross between the compiler (1-based lines and columns, exclusive end)
 * and the Language Server Protocol (0-based lines and UTF-16 characters, exclusive end).
 */
import type { Position as LspPosition, Range as LspRange } from "vscode-languageserver";
import type { Position, Span } from "../../grammar/ast.ts";

/** A compiler position as an LSP position. */
export function toLspPosition(p: Pick<Position, "line" | "column">): LspPosition {
  return { line: Math.max(0, p.line - 1), character: Math.max(0, p.column - 1) };
}

/** A compiler span as an LSP range. */
export function toLspRange(span: Span): LspRange {
  return { start: toLspPosition(span.start), end: toLspPosition(span.end) };
}

/** An LSP position as a compiler position (1-based line and column) with its offset in `text`. */
export function fromLspPosition(text: string, p: LspPosition): Position {
  let offset = 0;
  for (let line = 0; line < p.line; line++) {
    const next = text.indexOf("\n", offset);
    if (next < 0) return { line: line + 1, column: text.length - offset + 1, offset: text.length };
    offset = next + 1;
  }
  const lineEnd = text.indexOf("\n", offset);
  const length = (lineEnd < 0 ? text.length : lineEnd) - offset;
  const character = Math.min(p.character, length);
  return { line: p.line + 1, column: character + 1, offset: offset + character };
}
