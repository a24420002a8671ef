/**
 * The public entry of sweeps: a spec text to its expansion with every point compiled and checked
 * through `compileText`, before anything trains. Diagnostics of a point are mapped back to the sweep
 * spec (an alternative's span for a bad value), reported once however many points share them, with a
 * note naming the points when only some have them. Single-run specs go straight to `compileText`.
 */
import type { Spec } from "../../grammar/ast.ts";
import {
  compileSpec,
  compileText,
  type CompileTextOptions,
  type ModelLoader,
  type ModelManifest,
  type ModelSource,
} from "../compile.ts";
import { analyzeText } from "../frontend/analyze.ts";
import {
  diag,
  FILE_START,
  hasErrors,
  sortDiagnostics,
  type Diagnostic,
  type StageResult,
} from "../diagnostics/diagnostic.ts";
import { parseSpec } from "../frontend/parse.ts";
import type { CompiledPlan } from "../ir/types.ts";
import { canonicalJson, sha256 } from "../lower/sha256.ts";
import { isSweepSpec, sweepSpan } from "./axes.ts";
import { dedupe, expandSweep, withSeed } from "./expand.ts";
import { lineStarts, mapSpan } from "./point-text.ts";
import type { PointIdentity } from "./summary.ts";
import type { PointSource, SweepExpansion } from "./types.ts";

/** A point with its compiled plan. */
export interface CompiledPoint {
  readonly source: PointSource;
  readonly plan: CompiledPlan;
  /** What must not change for a finished point's results to stay valid (the plan without paths). */
  readonly planHash: string;
}

/** Everything the sweep stage produced, as far as it got. */
export interface SweepOutcome {
  readonly spec: Spec;
  readonly expansion: SweepExpansion | null;
  /** The stage-1 points (those `--only` kept), compiled; empty when there are errors. */
  readonly points: readonly CompiledPoint[];
}

/** Options of `compileSweepText`. */
export interface SweepOptions extends CompileTextOptions {
  /** Keep only points whose id or variant matches one of these globs (`*` any characters). */
  readonly only?: readonly string[] | undefined;
}

/**
 * ADAPT975 when a command that trains or verifies one configuration (`run`, `verify`) is given a sweep
 * spec; null for a single-run spec.
 */
export function notASweep(text: string, file: string, command: string): Diagnostic | null {
  const span = sweepSpan(parseSpec(text).value);
  if (span === null) return null;
  const help =
    "run every point with `adapt sweep`, list them with `adapt explain`, or pick one with `adapt sweep --only ID`";
  return {
    ...diag("ADAPT975", span, `this is a sweep spec, and \`adapt ${command}\` takes one configuration`, { help }),
    file,
  };
}

/** True when `text` is a sweep spec (variants, alternatives or `for best`). */
export function isSweepText(text: string): boolean {
  return isSweepSpec(parseSpec(text).value);
}

/** The diagnostics of any spec: a sweep's over all its points, a single-run spec's from `compileText`. */
export async function compileAnyText(text: string, file: string, opts: SweepOptions): Promise<readonly Diagnostic[]> {
  return (isSweepText(text) ? await compileSweepText(text, file, opts) : await compileText(text, file, opts))
    .diagnostics;
}

/** Expands a sweep spec and compiles every point; the points are returned only when none has errors. */
export async function compileSweepText(
  text: string,
  file: string,
  opts: SweepOptions,
): Promise<StageResult<SweepOutcome>> {
  const parsed = parseSpec(text);
  const tag = (ds: readonly Diagnostic[]) => sortDiagnostics(ds.map((d) => ({ ...d, file: d.file ?? file })));
  const base = { spec: parsed.value, expansion: null, points: [] };
  if (hasErrors(parsed.diagnostics)) return { value: base, diagnostics: tag(parsed.diagnostics) };
  const expanded = expandSweep(parsed.value, text);
  if (hasErrors(expanded.diagnostics))
    return { value: base, diagnostics: tag([...parsed.diagnostics, ...expanded.diagnostics]) };
  const expansion = expanded.value;
  const chosen = filterPoints(expansion.points, opts.only);
  if (chosen.length === 0) {
    const d = diag("ADAPT320", FILE_START, `no point of the sweep matches \`--only ${(opts.only ?? []).join(",")}\``, {
      notes: [`the variants are ${expansion.variants.map((v) => `\`${v.name}\``).join(", ")}`],
    });
    return { value: { ...base, expansion }, diagnostics: tag([...parsed.diagnostics, ...expanded.diagnostics, d]) };
  }
  const checks = [...chosen, ...stage2Probes(text, expansion, chosen)];
  const loader = cachedLoader(opts.loader);
  const lines = lineStarts(text);
  const seen = new Map<string, { d: Diagnostic; points: string[] }>();
  const points: CompiledPoint[] = [];
  for (const p of checks) {
    const r = await compileText(p.text, file, { ...opts, loader });
    for (const d of r.diagnostics) {
      const mapped = d.file === file ? { ...d, span: mapSpan(d.span, p.pieces, lines) } : d;
      const key = `${mapped.file}|${mapped.code}@${mapped.span.start.offset}-${mapped.span.end.offset}:${mapped.message}`;
      const entry = seen.get(key) ?? { d: mapped, points: [] };
      entry.points.push(p.id);
      seen.set(key, entry);
    }
    if (r.value.plan !== null && chosen.includes(p))
      points.push({ source: p, plan: r.value.plan, planHash: planHash(r.value.plan) });
  }
  const diagnostics = [
    ...parsed.diagnostics,
    ...expanded.diagnostics,
    ...[...seen.values()].map((e) => withPoints(e.d, e.points, checks.length)),
  ];
  const ok = !hasErrors(diagnostics);
  return { value: { ...base, expansion, points: ok ? points : [] }, diagnostics: tag(dedupe(diagnostics)) };
}

/**
 * The diagnostics of a sweep spec without loading anything (for the language server): every point's
 * model-free checks, and its resolution against `manifest` when the caller has the model.
 */
export function analyzeSweepText(
  text: string,
  file: string,
  manifest: ModelManifest | null,
  modelPath: string,
): Diagnostic[] {
  const parsed = parseSpec(text);
  if (hasErrors(parsed.diagnostics)) return [...parsed.diagnostics];
  const expanded = expandSweep(parsed.value, text);
  if (hasErrors(expanded.diagnostics)) return [...parsed.diagnostics, ...expanded.diagnostics];
  const lines = lineStarts(text);
  const out: Diagnostic[] = [...parsed.diagnostics, ...expanded.diagnostics];
  for (const p of expanded.value.points) {
    const front = analyzeText(p.text, file);
    const found = [...front.diagnostics];
    if (manifest !== null && front.value.checked !== null && !hasErrors(front.diagnostics)) {
      found.push(...compileSpec(front.value.checked, manifest, { file, text: p.text, modelPath }).diagnostics);
    }
    out.push(...found.map((d) => (d.file === file ? { ...d, span: mapSpan(d.span, p.pieces, lines) } : d)));
  }
  return sortDiagnostics(dedupe(out.map((d) => ({ ...d, file: d.file ?? file }))));
}

/** Compiles one point (a stage-2 seed of a selected configuration); its diagnostics mapped to the sweep spec. */
export async function compilePoint(
  point: PointSource,
  text: string,
  file: string,
  opts: CompileTextOptions,
): Promise<StageResult<CompiledPoint | null>> {
  const r = await compileText(point.text, file, opts);
  const lines = lineStarts(text);
  const diagnostics = r.diagnostics.map((d) =>
    d.file === file ? { ...d, span: mapSpan(d.span, point.pieces, lines) } : d,
  );
  const plan = r.value.plan;
  if (plan === null || hasErrors(diagnostics)) return { value: null, diagnostics };
  return { value: { source: point, plan, planHash: planHash(plan) }, diagnostics };
}

/** Maps the diagnostics a point's run reported to the sweep spec. */
export function mapPointDiagnostics(
  point: PointSource,
  text: string,
  file: string,
  diagnostics: readonly Diagnostic[],
): Diagnostic[] {
  const lines = lineStarts(text);
  return diagnostics.map((d) => (d.file === file ? { ...d, span: mapSpan(d.span, point.pieces, lines) } : d));
}

/** The plan without the spec text and paths: equal hashes mean the same training. */
export function planHash(plan: CompiledPlan): string {
  const { spec: _spec, model, plan: tp, ...rest } = plan;
  const { path: _path, ...modelRest } = model;
  const training = tp === null ? null : { ...tp, output: null };
  return sha256(canonicalJson({ ...rest, model: modelRest, plan: training }));
}

function filterPoints(points: readonly PointSource[], only: readonly string[] | undefined): PointSource[] {
  if (only === undefined || only.length === 0) return [...points];
  const res = only.map(
    (g) =>
      new RegExp(
        `^${g
          .split("*")
          .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
          .join(".*")}$`,
      ),
  );
  return points.filter((p) => res.some((re) => re.test(p.id) || re.test(p.variant) || re.test(p.config)));
}

/** For each variant, its first point with each stage-2 seed: the seeds are checked before training too. */
function stage2Probes(text: string, expansion: SweepExpansion, chosen: readonly PointSource[]): PointSource[] {
  if (expansion.stage2Seeds.length === 0) return [];
  const firsts = expansion.variants
    .map((v) => chosen.find((p) => p.variant === v.name))
    .filter((p): p is PointSource => p !== undefined);
  return firsts.flatMap((p) => expansion.stage2Seeds.map((_, i) => withSeed(text, expansion, p, i + 1)));
}

function withPoints(d: Diagnostic, ids: readonly string[], total: number): Diagnostic {
  if (ids.length >= total || total <= 1) return d;
  const shown = ids
    .slice(0, 3)
    .map((id) => `\`${id}\``)
    .join(", ");
  const note =
    ids.length === 1
      ? `in point ${shown}`
      : `in ${ids.length} of ${total} points: ${shown}${ids.length > 3 ? ", ..." : ""}`;
  return { ...d, notes: [...(d.notes ?? []), note] };
}

/** Reads each model file once for all the points. */
function cachedLoader(loader: ModelLoader): ModelLoader {
  const cache = new Map<string, Promise<ModelSource>>();
  return (path) => {
    let hit = cache.get(path);
    if (hit === undefined) {
      hit = Promise.resolve(loader(path));
      cache.set(path, hit);
    }
    return hit;
  };
}

/** Who a point is; its seed is the plan's when no axis sets one. */
export function pointIdentity(p: CompiledPoint): PointIdentity {
  const s = p.source;
  return {
    id: s.id,
    variant: s.variant,
    series: s.series,
    member: s.member,
    config: s.config,
    axes: s.axes,
    seed: s.seed ?? p.plan.plan?.seed ?? 0,
    stage: s.stage,
  };
}
