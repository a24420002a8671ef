/**
 * Small helpers shared by the resolve stage: `in layers` ranges to a set of layer indices, and the
 * display text of a selector's pattern.
 */
import type * as A from "../../grammar/ast.ts";

/** The layer indices that `in layers` ranges cover (inclusive; a reversed range covers nothing). */
export function expandRanges(ranges: readonly A.Range[]): Set<number> {
  const out = new Set<number>();
  for (const r of ranges) {
    const from = r.from.value;
    const to = r.to?.value ?? from;
    for (let i = from; i <= to && i - from < 1_000_000; i++) out.add(i);
  }
  return out;
}

/** The layer indices of ranges in the order written (for per-layer size lists). */
export function orderedRangeIndices(ranges: readonly A.Range[]): number[] {
  const out: number[] = [];
  for (const r of ranges) {
    const from = r.from.value;
    const to = r.to?.value ?? from;
    for (let i = from; i <= to && i - from < 1_000_000; i++) out.push(i);
  }
  return out;
}

/** A pattern as written: "`glob`" or "`/regex/`". */
export function patternText(p: A.GlobPattern | A.RegexPattern): string {
  return p.kind === "Glob" ? `\`${p.text}\`` : `\`/${p.source}/${p.flags}\``;
}
