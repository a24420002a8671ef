/**
 * The values of the sweep stage: axes (one per `A | B | ...` in a spec), variants, and the points of the
 * grid, each a single-run spec text that the ordinary pipeline compiles. Plain data, no model needed.
 */
import type * as A from "../../grammar/ast.ts";

/** An axis value as `sweep.json` records it: numbers as numbers, anything else as written. */
export type AxisValue = number | string;

/** One alternative of an axis. */
export interface AxisOption {
  readonly value: AxisValue;
  /** The option as written. */
  readonly text: string;
  readonly span: A.Span;
}

/** One `A | B | ...` of the spec. */
export interface Axis {
  /** Where it is: `optimizer.lr`, `epochs`, `seed`, `h.size`, `size h in layers 0..5`, `head.dropout`. */
  readonly name: string;
  /** The short name used in point ids (`lr`), unique in the sweep. */
  readonly key: string;
  readonly options: readonly AxisOption[];
  /** The whole `A | B | ...`. */
  readonly span: A.Span;
  /** True for the `seed` plan entry's axis (the replicate axis, never tuned). */
  readonly seed: boolean;
  /** The span of `for best` after the seeds (stage 2 runs the other seeds for the selected configurations). */
  readonly forBest: A.Span | null;
}

/** A variant: its name, series and member, and its effective statements (top-level ones first). */
export interface Variant {
  readonly name: string;
  readonly series: string;
  readonly member: string | null;
  /** Where the variant is declared (the file start for the implicit `default`). */
  readonly span: A.Span;
  readonly statements: readonly A.Statement[];
  /** The axes of this variant's points, in source order (seed last). */
  readonly axes: readonly Axis[];
}

/** A piece of a point's text: a slice of the spec, or generated text that stands for `anchor`. */
export interface Piece {
  /** Offset in the point's text. */
  readonly at: number;
  readonly text: string;
  /** Offset of the same text in the spec, or null for generated text. */
  readonly from: number | null;
  readonly anchor: A.Span;
}

/** One point of the grid: a single-run spec text with the map back to the sweep spec. */
export interface PointSource {
  readonly id: string;
  /** The id without the seed: points that differ only in their seed share it. */
  readonly config: string;
  readonly variant: string;
  readonly series: string;
  readonly member: string | null;
  /** Axis name to value, seed included when it is an axis. */
  readonly axes: Readonly<Record<string, AxisValue>>;
  /** The seed when it is an axis; otherwise null (the plan's seed applies). */
  readonly seed: number | null;
  /** 1, or 2 for the extra seeds of `seed ... for best`. */
  readonly stage: 1 | 2;
  readonly text: string;
  readonly pieces: readonly Piece[];
}

/** The expansion of a sweep spec. */
export interface SweepExpansion {
  readonly variants: readonly Variant[];
  /** Every stage-1 point, variant by variant, the last axis varying fastest and the seed fastest of all. */
  readonly points: readonly PointSource[];
  /** The seeds that `seed ... for best` runs for the selected configuration of each variant (stage 2). */
  readonly stage2Seeds: readonly number[];
  /** The plan's `output` as written (the sweep's folder), or null when the spec has none. */
  readonly output: string | null;
  /** Where `output` is written (for diagnostics about the folder). */
  readonly outputSpan: A.Span | null;
}
