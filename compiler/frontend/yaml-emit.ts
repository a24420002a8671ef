/**
 * The text builder of the YAML spec reader: writes `.adapt` lines and records, for each piece of
 * generated text, the YAML node span it came from, so that spans can be mapped back.
 */
import type { LineCounter, Node as YNode } from "yaml";
import type { Position, Span } from "../../grammar/ast.ts";
import type { Code } from "../diagnostics/codes.ts";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.ts";

/** A piece of generated text on one line and the YAML span it stands for. */
export interface Segment {
  readonly from: number;
  readonly to: number;
  readonly span: Span;
}

/** Builds generated lines and their segment maps. */
export class Emitter {
  readonly diagnostics: Diagnostic[] = [];
  /** Per generated line: its text, the YAML span of its statement, and its segments. */
  readonly lines: { text: string; span: Span; segments: Segment[] }[] = [];
  private current: { text: string; span: Span; segments: Segment[] } | null = null;

  constructor(
    private readonly source: string,
    private readonly counter: LineCounter,
  ) {}

  /** The position of a YAML offset (1-based line and column). */
  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.source.length));
    const p = this.counter.linePos(o);
    return { line: p.line, column: p.col, offset: o };
  }

  /** The span between two YAML offsets. */
  span(from: number, to: number): Span {
    return { start: this.position(from), end: this.position(Math.max(from, to)) };
  }

  /** The span of a YAML node's value. */
  nodeSpan(node: YNode | null | undefined): Span {
    const r = node?.range;
    return r ? this.span(r[0], r[1]) : this.span(0, 0);
  }

  /** Starts a generated line standing for `node`. */
  begin(node: YNode | null | undefined): void {
    this.end();
    this.current = { text: "", span: this.nodeSpan(node), segments: [] };
  }

  /** Appends text; with a node, the text maps to that node's span. */
  put(text: string, node?: YNode | null): void {
    if (this.current === null) return;
    const from = this.current.text.length;
    this.current.text += text;
    if (node) this.current.segments.push({ from: from + 1, to: from + 1 + text.length, span: this.nodeSpan(node) });
  }

  /** Ends the current line. */
  end(): void {
    if (this.current !== null) this.lines.push(this.current);
    this.current = null;
  }

  /** Drops the current line (its entry had errors). */
  drop(): void {
    this.current = null;
  }

  /** Records an error at a YAML node. */
  error(code: Code, node: YNode | null | undefined, message: string, help?: string): void {
    this.diagnostics.push(diag(code, this.nodeSpan(node), message, { help }));
  }

  /** The generated `.adapt` text. */
  text(): string {
    this.end();
    return this.lines.map((l) => l.text).join("\n") + (this.lines.length > 0 ? "\n" : "");
  }
}
