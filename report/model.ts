/**
 * What the report says, computed from parsed sweep folders: per task, the selected configuration of every
 * variant (from `summary.json`, which is authoritative), with its runs from `results.jsonl`; per series
 * and task, the variant selected on validation among the series' variants (as Houlsby et al. select the
 * adapter size per task); and the mean over tasks with the gap to the baseline series in points. Pure and
 * deterministic: variants keep the manifest's order, series their first appearance, tasks are sorted.
 */
import type { SweepFolder } from "./consistency.ts";
import { scaled } from "./format.ts";
import type { ParamCounts, ResultLine, SelectRule, Stat, SummaryConfig } from "./sweep-files.ts";

/** One task's sweep folder, with its name. */
export interface ReportTask {
  readonly name: string;
  readonly folder: SweepFolder;
}

/** The selected configuration of one variant on one task. */
export interface VariantRow {
  readonly variant: string;
  readonly series: string;
  /** The part of the variant's name after the series (`m8` of `adapters.m8`), or "". */
  readonly member: string;
  readonly config: string;
  readonly axes: Readonly<Record<string, unknown>>;
  readonly params: ParamCounts;
  readonly validation: Stat | null;
  readonly test: Stat | null;
  readonly seeds: readonly number[];
  /** The finished runs of this configuration (one per seed), in seed order. */
  readonly runs: readonly ResultLine[];
  readonly secondsPerRun: number;
  /** Wall time of every point of the variant (the tuning grid and the seeds). */
  readonly variantSeconds: number;
  readonly variantPoints: number;
}

/** One task of the report. */
export interface TaskSection {
  readonly name: string;
  readonly select: SelectRule;
  /** Where the reported metric comes from: `test`, or `validation` when the plan has no test file. */
  readonly source: "test" | "validation";
  readonly rows: readonly VariantRow[];
  readonly selected: string | null;
  readonly finished: number;
  readonly total: number;
  readonly backends: readonly string[];
  readonly seconds: number;
}

/** One series across tasks. */
export interface SeriesSummary {
  readonly series: string;
  /** Per task (in the report's task order) the series' chosen variant, or null where it did not run. */
  readonly perTask: readonly (VariantRow | null)[];
  /** Mean over the tasks where it ran of the reported metric (as the metric is, not in points). */
  readonly mean: number | null;
  readonly meanPercent: number | null;
  /** Mean over tasks of (this series - the baseline series), on the report's scale; null without a baseline. */
  readonly gap: number | null;
}

/** The whole report. */
export interface ReportModel {
  readonly tasks: readonly TaskSection[];
  readonly series: readonly SeriesSummary[];
  readonly baseline: string;
  /** The metric all tasks select on, or null when they differ (no cross-task table then). */
  readonly metric: string | null;
  readonly source: "test" | "validation";
}

const memberOf = (variant: string): string => (variant.includes(".") ? variant.slice(variant.indexOf(".") + 1) : "");
const sum = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0);
const mean = (xs: readonly number[]): number | null => (xs.length === 0 ? null : sum(xs) / xs.length);

function variantRow(c: SummaryConfig, results: readonly ResultLine[], metric: string): VariantRow {
  const runs = results.filter((r) => r.config === c.config).sort((a, b) => a.seed - b.seed);
  const all = results.filter((r) => r.variant === c.variant);
  return {
    variant: c.variant,
    series: c.series,
    member: memberOf(c.variant),
    config: c.config,
    axes: c.axes,
    params: c.params,
    validation: c.validation[metric] ?? null,
    test: c.test?.[metric] ?? null,
    seeds: c.seeds,
    runs,
    secondsPerRun: runs.length > 0 ? sum(runs.map((r) => r.seconds)) / runs.length : 0,
    variantSeconds: sum(all.map((r) => r.seconds)),
    variantPoints: all.length,
  };
}

function taskSection(task: ReportTask): TaskSection {
  const { manifest, summary } = task.folder;
  const results = task.folder.results.map((r) => r.value);
  const order = [...new Set(manifest.points.map((p) => p.variant))];
  const metric = manifest.select.metric;
  const rows = summary.configs
    .filter((c) => c.selectedInVariant)
    .sort((a, b) => order.indexOf(a.variant) - order.indexOf(b.variant) || a.rank - b.rank)
    .filter((c, i, all) => i === 0 || all[i - 1]!.variant !== c.variant)
    .map((c) => variantRow(c, results, metric));
  return {
    name: task.name,
    select: manifest.select,
    rows,
    selected: summary.selected,
    source: rows.some((r) => r.test !== null) ? "test" : "validation",
    finished: new Set(results.map((r) => r.id)).size,
    total: manifest.points.length,
    backends: [...new Set(results.map((r) => r.backend))].sort(),
    seconds: sum(results.map((r) => r.seconds)),
  };
}

/** The value a row reports (test, or validation where the task has no test). */
export function reported(row: VariantRow, source: "test" | "validation"): Stat | null {
  return source === "test" ? row.test : row.validation;
}

/** The series' variant chosen on validation (best mean by the select rule; the first on ties). */
function chosen(rows: readonly VariantRow[], series: string, select: SelectRule): VariantRow | null {
  let best: VariantRow | null = null;
  for (const r of rows.filter((x) => x.series === series && x.validation !== null)) {
    const better =
      best === null ||
      (select.direction === "max"
        ? r.validation!.mean > best.validation!.mean
        : r.validation!.mean < best.validation!.mean);
    if (better) best = r;
  }
  return best;
}

function seriesSummary(
  series: string,
  tasks: readonly TaskSection[],
  baseline: string,
  metric: string,
  source: "test" | "validation",
): SeriesSummary {
  const perTask = tasks.map((t) => chosen(t.rows, series, t.select));
  const values = perTask.flatMap((r) => (r && reported(r, source) ? [reported(r, source)!.mean] : []));
  const gaps = tasks.flatMap((t, i) => {
    const own = perTask[i] ? reported(perTask[i]!, source) : null;
    const base = chosen(t.rows, baseline, t.select);
    const ref = base ? reported(base, source) : null;
    return own && ref ? [scaled(own.mean, metric) - scaled(ref.mean, metric)] : [];
  });
  return {
    series,
    perTask,
    mean: mean(values),
    meanPercent: mean(perTask.flatMap((r) => (r ? [r.params.trainablePercent] : []))),
    gap: series === baseline || !tasks.some((t) => t.rows.some((r) => r.series === baseline)) ? null : mean(gaps),
  };
}

/** The report of `tasks` (any order); `baseline` is the series the gap is measured to (default `full`). */
export function buildReport(tasks: readonly ReportTask[], baseline = "full"): ReportModel {
  const sections = [...tasks].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map(taskSection);
  const metrics = new Set(sections.map((t) => t.select.metric));
  const metric = metrics.size === 1 ? [...metrics][0]! : null;
  const source = sections.every((t) => t.source === "test") ? "test" : "validation";
  const names = [...new Set(sections.flatMap((t) => t.rows.map((r) => r.series)))];
  const series = metric === null ? [] : names.map((s) => seriesSummary(s, sections, baseline, metric, source));
  return { tasks: sections, series, baseline, metric, source };
}
