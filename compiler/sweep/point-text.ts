/**
 * A point's text: the single-run spec of one point of the grid, made of slices of the sweep spec (each
 * alternative replaced by the chosen option, `for best` dropped, `output` moved to the point's folder)
 * and a few generated characters. Its pieces map any offset back into the sweep spec, so the ordinary
 * pipeline's diagnostics on a point point at the sweep spec's source.
 */
import type * as A from "../../grammar/ast.ts";
import { printString } from "../format/print.ts";
import type { Piece } from "./types.ts";

/** A change to the spec's text: the span's text is replaced by what `write` adds. */
export interface Edit {
  readonly span: A.Span;
  readonly write: (b: TextBuilder) => void;
}

/** Accumulates a point's text as pieces. */
export class TextBuilder {
  readonly pieces: Piece[] = [];
  private at = 0;

  constructor(private readonly source: string) {}

  /** The spec's text from `from` to `to` (offsets). */
  slice(from: number, to: number, anchor: A.Span): void {
    if (to > from) this.push({ at: this.at, text: this.source.slice(from, to), from, anchor });
  }

  /** Generated text standing for `anchor`. */
  gen(text: string, anchor: A.Span): void {
    this.push({ at: this.at, text, from: null, anchor });
  }

  /** The spec's text over `span` with `edits` (sorted, non-overlapping, inside the span) applied. */
  edited(span: A.Span, edits: readonly Edit[]): void {
    let pos = span.start.offset;
    for (const e of edits) {
      if (e.span.start.offset < pos || e.span.end.offset > span.end.offset) continue;
      this.slice(pos, e.span.start.offset, span);
      e.write(this);
      pos = e.span.end.offset;
    }
    this.slice(pos, span.end.offset, span);
  }

  text(): string {
    return this.pieces.map((p) => p.text).join("");
  }

  private push(p: Piece): void {
    this.pieces.push(p);
    this.at += p.text.length;
  }
}

/** The point's text from the variant's effective statements and the edits of its axis values. */
export function buildPointText(
  source: string,
  statements: readonly A.Statement[],
  edits: readonly Edit[],
): { text: string; pieces: Piece[] } {
  const sorted = [...edits].sort((a, b) => a.span.start.offset - b.span.start.offset);
  const inside = (span: A.Span) =>
    sorted.filter((e) => e.span.start.offset >= span.start.offset && e.span.end.offset <= span.end.offset);
  const b = new TextBuilder(source);
  for (const s of statements) {
    if (s.kind === "Plan") {
      b.gen("plan {\n", s.span);
      for (const e of s.entries) {
        b.gen("  ", e.span);
        b.edited(e.span, inside(e.span));
        b.gen("\n", e.span);
      }
      b.gen("}", s.span);
    } else b.edited(s.span, inside(s.span));
    b.gen("\n", s.span);
  }
  return { text: b.text(), pieces: b.pieces };
}

/** The edit that moves the plan's `output` to `folder`, when the plan has a single string `output`. */
export function outputEdit(statements: readonly A.Statement[], folder: (written: string) => string): Edit | null {
  const v = outputValue(statements);
  return v === null ? null : { span: v.span, write: (b) => b.gen(printString(folder(v.value)), v.span) };
}

/** The plan's `output` string, when it is one string. */
export function outputValue(statements: readonly A.Statement[]): A.StringLit | null {
  const plan = statements.find((s): s is A.PlanBlock => s.kind === "Plan");
  const entry = plan?.entries.find((e) => e.key.name === "output");
  if (entry?.value.kind !== "Words" || entry.value.groups.length !== 1 || entry.value.groups[0]!.length !== 1)
    return null;
  const v = entry.value.groups[0]![0]!;
  return v.kind === "String" ? v : null;
}

/** Maps a span of a point's text back to the sweep spec (`lines` from `lineStarts`). */
export function mapSpan(span: A.Span, pieces: readonly Piece[], lines: readonly number[]): A.Span {
  if (span.start.offset === 0 && span.end.offset === 0 && span.start.line === 1) return span;
  const start = mapOffset(span.start.offset, pieces, "start");
  const end = Math.max(start, mapOffset(span.end.offset, pieces, "end"));
  return { start: position(start, lines), end: position(end, lines) };
}

function mapOffset(o: number, pieces: readonly Piece[], side: "start" | "end"): number {
  const p =
    pieces.find((x) =>
      side === "start" ? o >= x.at && o < x.at + x.text.length : o > x.at && o <= x.at + x.text.length,
    ) ?? pieces[pieces.length - 1];
  if (p === undefined) return 0;
  if (p.from === null) return side === "start" ? p.anchor.start.offset : p.anchor.end.offset;
  return p.from + Math.min(Math.max(o - p.at, 0), p.text.length);
}

/** The offsets where the lines of `text` start. */
export function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") out.push(i + 1);
  return out;
}

function position(offset: number, lines: readonly number[]): A.Position {
  let lo = 0;
  let hi = lines.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lines[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - lines[lo]! + 1, offset };
}
