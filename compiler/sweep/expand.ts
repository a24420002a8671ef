/**
 * Stage `expand`: a sweep spec to the points of its grid. For each variant, the product of the axes of
 * its effective statements (the last axis varying fastest, the seed fastest of all); each point is a
 * single-run spec text (see `point-text.ts`) whose `output` is `OUT/points/<id>`. Model-free.
 */
import type * as A from "../../grammar/ast.ts";
import { joinSpans } from "../../grammar/visitor.ts";
import { diag, hasErrors, type Diagnostic, type StageResult } from "../diagnostics/diagnostic.ts";
import { findAxes, type FoundAxis } from "./axes.ts";
import { buildPointText, outputEdit, outputValue, type Edit } from "./point-text.ts";
import type { Axis, AxisOption, AxisValue, PointSource, SweepExpansion, Variant } from "./types.ts";
import { resolveVariants } from "./variants.ts";

/** The folder of a point inside the sweep's folder. */
export function pointFolder(output: string, id: string): string {
  return `${output.replace(/\/+$/, "")}/points/${id}`;
}

/** Expands a parsed sweep spec (`text` is its source) into its variants and points. */
export function expandSweep(spec: A.Spec, text: string): StageResult<SweepExpansion> {
  const diagnostics: Diagnostic[] = [];
  const resolved = resolveVariants(spec);
  diagnostics.push(...resolved.diagnostics);
  const found = resolved.value.map((v) => {
    const r = findAxes(v.statements);
    diagnostics.push(...r.diagnostics);
    return r.value;
  });
  const keys = axisKeys(found.flat());
  const variants: Variant[] = resolved.value.map((v, i) => {
    const axes = found[i]!.map((a) => toAxis(a, keys));
    const ordered = [...axes.filter((a) => !a.seed), ...axes.filter((a) => a.seed)];
    const dot = v.name.indexOf(".");
    return {
      name: v.name,
      span: v.span,
      statements: v.statements,
      axes: ordered,
      series: dot < 0 ? v.name : v.name.slice(0, dot),
      member: dot < 0 ? null : v.name.slice(dot + 1),
    };
  });
  const forBest = found.flat().find((a) => a.seed && a.forBest !== null);
  const written = variants[0] ? outputValue(variants[0].statements) : null;
  const points: PointSource[] = [];
  for (const v of variants)
    for (const choice of grid(v, forBest !== undefined)) points.push(makePoint(text, v, choice, 1));
  if (!hasErrors(diagnostics)) diagnostics.push(...duplicateIds(points, variants));
  const stage2Seeds = forBest ? forBest.options.slice(1).map((o) => Number(o.value)) : [];
  return {
    value: { variants, points, stage2Seeds, output: written?.value ?? null, outputSpan: written?.span ?? null },
    diagnostics: dedupe(diagnostics),
  };
}

/** The point of `point`'s configuration with the `index`-th seed of its variant's seed axis (stage 2). */
export function withSeed(text: string, expansion: SweepExpansion, point: PointSource, index: number): PointSource {
  const v = expansion.variants.find((x) => x.name === point.variant)!;
  const seedAxis = v.axes.findIndex((a) => a.seed);
  const choice = v.axes
    .map((a) => point.axes[a.name])
    .map((value, i) => (i === seedAxis ? index : v.axes[i]!.options.findIndex((o) => o.value === value)));
  return makePoint(text, v, choice, index === 0 ? 1 : 2);
}

function grid(v: Variant, forBest: boolean): number[][] {
  let out: number[][] = [[]];
  for (const a of v.axes) {
    const n = a.seed && forBest ? 1 : a.options.length;
    out = out.flatMap((c) => Array.from({ length: n }, (_, i) => [...c, i]));
  }
  return out;
}

function makePoint(text: string, v: Variant, choice: readonly number[], stage: 1 | 2): PointSource {
  const chosen = v.axes.map((a, i) => ({ axis: a, option: a.options[choice[i]!]! }));
  const config = [v.name, ...chosen.filter((c) => !c.axis.seed).map((c) => `${c.axis.key}=${valueId(c.option)}`)].join(
    "~",
  );
  const seed = chosen.find((c) => c.axis.seed);
  const id = seed ? `${config}~seed=${valueId(seed.option)}` : config;
  const edits: Edit[] = chosen.map(({ axis, option }) => ({
    span: axis.forBest ? joinSpans(axis.span, axis.forBest) : axis.span,
    write: (b) => b.slice(option.span.start.offset, option.span.end.offset, option.span),
  }));
  const out = outputEdit(v.statements, (written) => pointFolder(written, id));
  if (out) edits.push(out);
  const built = buildPointText(text, v.statements, edits);
  return {
    id,
    config,
    variant: v.name,
    series: v.series,
    member: v.member,
    axes: Object.fromEntries(chosen.map((c) => [c.axis.name, c.option.value] as [string, AxisValue])),
    seed: seed && typeof seed.option.value === "number" ? seed.option.value : null,
    stage,
    text: built.text,
    pieces: built.pieces,
  };
}

/** Each axis name's key in point ids: its last part (`lr`), or the whole name where two would clash. */
function axisKeys(axes: readonly FoundAxis[]): Map<string, string> {
  const names = [...new Set(axes.map((a) => a.name))];
  const short = (name: string) =>
    name.startsWith("size ")
      ? `size${name.includes(" in layers ") ? `.${name.split(" in layers ")[1]}` : ""}`
      : name.split(".").pop()!;
  const count = new Map<string, number>();
  for (const n of names) count.set(short(n), (count.get(short(n)) ?? 0) + 1);
  return new Map(names.map((n) => [n, sanitizeKey(count.get(short(n))! > 1 ? n : short(n))]));
}

function sanitizeKey(k: string): string {
  return k
    .replace(/ in layers /g, ".")
    .replace(/\.\./g, "-")
    .replace(/\s+/g, ".")
    .replace(/,/g, "_")
    .replace(/[^A-Za-z0-9._-]/g, "_");
}

function toAxis(a: FoundAxis, keys: ReadonlyMap<string, string>): Axis {
  return {
    name: a.name,
    key: a.seed ? "seed" : keys.get(a.name)!,
    options: a.options,
    span: a.span,
    seed: a.seed,
    forBest: a.forBest,
  };
}

/** An axis value as it appears in a point id: `0.0001`, `gelu`, `d_16`, `4_4_8`. */
export function valueId(o: AxisOption): string {
  if (typeof o.value === "number") return String(o.value).replace("+", "");
  return o.text.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^_+|_+$/g, "") || "_";
}

function duplicateIds(points: readonly PointSource[], variants: readonly Variant[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const p of points) {
    if (!seen.has(p.id)) {
      seen.add(p.id);
      continue;
    }
    const v = variants.find((x) => x.name === p.variant)!;
    out.push(
      diag("ADAPT325", v.span, `two points of variant \`${v.name}\` have the same id \`${p.id}\``, {
        help: "make the alternatives differ in more than punctuation",
      }),
    );
  }
  return out;
}

/** Removes repeats (the top-level axes are found once per variant). */
export function dedupe(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.code}@${d.span.start.offset}-${d.span.end.offset}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
