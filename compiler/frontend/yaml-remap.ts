/**
 * Maps spans of the `.adapt` text generated from a YAML spec back to the YAML source: every `span`
 * in the AST and every diagnostic span.
 */
import type { Position, Span } from "../../grammar/ast.ts";
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import type { Emitter } from "./yaml-emit.ts";

function mapPosition(p: Position, em: Emitter, edge: "start" | "end"): Position {
  const line = em.lines[p.line - 1] ?? em.lines[em.lines.length - 1];
  if (line === undefined) return p;
  let best: { from: number; to: number; span: Span } | undefined;
  for (const s of line.segments) {
    const inside = edge === "start" ? p.column >= s.from && p.column < s.to : p.column > s.from && p.column <= s.to;
    if (inside && (best === undefined || s.to - s.from < best.to - best.from)) best = s;
  }
  return (best?.span ?? line.span)[edge];
}

/** A generated span in YAML coordinates. */
export function mapSpan(span: Span, em: Emitter): Span {
  const start = mapPosition(span.start, em, "start");
  const end = mapPosition(span.end, em, "end");
  return { start, end: end.offset >= start.offset ? end : start };
}

/** A deep copy of an AST with every `span`/`positionSpan` mapped; shared span objects stay shared. */
export function remapSpans<T>(node: T, em: Emitter): T {
  const seen = new Map<unknown, unknown>();
  const walk = (v: unknown, key: string): unknown => {
    if (v === null || typeof v !== "object") return v;
    if (seen.has(v)) return seen.get(v);
    if ((key === "span" || key === "positionSpan") && "start" in v && "end" in v) {
      const mapped = mapSpan(v as Span, em);
      seen.set(v, mapped);
      return mapped;
    }
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      seen.set(v, out);
      for (const x of v) out.push(walk(x, ""));
      return out;
    }
    const out = new Map<string, unknown>();
    for (const [k, x] of Object.entries(v)) out.set(k, walk(x, k));
    const obj = Object.fromEntries(out);
    seen.set(v, obj);
    return obj;
  };
  return walk(node, "") as T;
}

/** Diagnostics of the generated text in YAML coordinates. */
export function remapDiagnostics(ds: readonly Diagnostic[], em: Emitter): Diagnostic[] {
  return ds.map((d) => ({
    ...d,
    span: mapSpan(d.span, em),
    ...(d.labels !== undefined ? { labels: d.labels.map((l) => ({ ...l, span: mapSpan(l.span, em) })) } : {}),
  }));
}
