/**
 * The data of a task's two figures, from the report model and the runs' training logs: the trade-off
 * (the reported metric against trained parameters, one point per variant's selected configuration,
 * error bars of one standard deviation over seeds) and the training curves of those configurations'
 * runs. Plain values; `plot.ts` draws them.
 */
import { inPoints, scaled } from "./format.ts";
import { reported, type ReportModel, type TaskSection, type VariantRow } from "./model.ts";
import { thinLoss, type TrainingCurves } from "./training-log.ts";

/** One point of the trade-off figure. */
export interface TradeoffPoint {
  readonly series: string;
  readonly member: string;
  readonly variant: string;
  readonly params: number;
  readonly y: number;
  readonly lo: number;
  readonly hi: number;
  readonly n: number;
}

/** The trade-off figure of one task. */
export interface TradeoffFigure {
  readonly title: string;
  readonly xTitle: string;
  readonly yTitle: string;
  /** Series in legend order. */
  readonly series: readonly string[];
  readonly points: readonly TradeoffPoint[];
  /** The baseline series' value, drawn as a dashed line across the figure (a series of one point). */
  readonly reference: { readonly series: string; readonly y: number } | null;
}

/** One run's curves, on the report's scale. */
export interface RunCurves {
  readonly variant: string;
  readonly run: string;
  readonly loss: readonly { readonly step: number; readonly loss: number }[];
  readonly evals: readonly { readonly step: number; readonly value: number }[];
}

/** The training-curves figure of one task. */
export interface CurvesFigure {
  readonly title: string;
  readonly lossTitle: string;
  readonly metricTitle: string;
  /** Variants in legend order, each with its series (the series' colour, in a shade per variant). */
  readonly variants: readonly { readonly variant: string; readonly series: string }[];
  readonly runs: readonly RunCurves[];
}

/** The most loss points drawn per run (longer runs are averaged in windows). */
export const MAX_LOSS_POINTS = 400;

const axisUnit = (metric: string): string => (inPoints(metric) ? " (%)" : "");

/** The trade-off figure of a task; the `baseline` series, when it has one point, is also a dashed line. */
export function tradeoffFigure(t: TaskSection, baseline = "full"): TradeoffFigure {
  const metric = t.select.metric;
  const points = t.rows.flatMap((r) => {
    const s = reported(r, t.source);
    if (s === null) return [];
    const y = scaled(s.mean, metric);
    const e = scaled(s.std, metric);
    return [
      {
        series: r.series,
        member: r.member,
        variant: r.variant,
        params: r.params.trainable,
        y,
        lo: y - e,
        hi: y + e,
        n: s.n,
      },
    ];
  });
  const base = points.filter((p) => p.series === baseline);
  return {
    title: t.name,
    xTitle: "trained parameters (log scale)",
    yTitle: `${t.source} ${metric}${axisUnit(metric)}`,
    series: [...new Set(points.map((p) => p.series))],
    points,
    reference: base.length === 1 ? { series: baseline, y: base[0]!.y } : null,
  };
}

/** The curves figure of a task; `logs` maps a point's id to its parsed `log.jsonl` (missing ones are left out). */
export function curvesFigure(t: TaskSection, logs: ReadonlyMap<string, TrainingCurves>): CurvesFigure {
  const metric = t.select.metric;
  const runs = t.rows.flatMap((r) =>
    r.runs.flatMap((p) => {
      const log = logs.get(p.id);
      if (log === undefined) return [];
      const evals = log.evals.filter((e) => e.split === t.select.split && e.metrics[metric] !== undefined);
      return [
        {
          variant: r.variant,
          run: `${r.variant} seed ${p.seed}`,
          loss: thinLoss(log.loss, MAX_LOSS_POINTS),
          evals: evals.map((e) => ({ step: e.step, value: scaled(e.metrics[metric]!, metric) })),
        },
      ];
    }),
  );
  return {
    title: `${t.name}: training curves of the selected configurations`,
    lossTitle: "training loss",
    metricTitle: `${t.select.split} ${metric}${axisUnit(metric)}`,
    variants: t.rows
      .filter((r) => runs.some((x) => x.variant === r.variant))
      .map((r) => ({ variant: r.variant, series: r.series })),
    runs,
  };
}

/** The `p`-quantile of sorted values, interpolated linearly between the closest ranks. */
export function quantile(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  return sorted[lo]! + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? sorted[lo]!) - sorted[lo]!);
}

/**
 * The trade-off across tasks, as Houlsby et al.'s Figure 3: per variant, the difference of its reported
 * metric to the baseline series' (in points) on each task, drawn as the median over tasks with the 20th
 * and 80th percentiles; null without a shared metric or a baseline on any task.
 */
export function summaryFigure(m: ReportModel): TradeoffFigure | null {
  const metric = m.metric;
  if (metric === null) return null;
  const deltas = new Map<string, { row: VariantRow; params: number[]; values: number[] }>();
  for (const t of m.tasks) {
    const base = m.series.find((s) => s.series === m.baseline)?.perTask[m.tasks.indexOf(t)];
    const ref = base ? reported(base, m.source) : null;
    if (ref === null) continue;
    for (const r of t.rows) {
      const own = reported(r, m.source);
      if (own === null) continue;
      const entry = deltas.get(r.variant) ?? { row: r, params: [], values: [] };
      entry.params.push(r.params.trainable);
      entry.values.push(scaled(own.mean, metric) - scaled(ref.mean, metric));
      deltas.set(r.variant, entry);
    }
  }
  if (deltas.size === 0) return null;
  const points = [...deltas.values()].map(({ row, params, values }) => {
    const v = [...values].sort((a, b) => a - b);
    const x = [...params].sort((a, b) => a - b);
    return {
      series: row.series,
      member: row.member,
      variant: row.variant,
      params: quantile(x, 0.5),
      y: quantile(v, 0.5),
      lo: quantile(v, 0.2),
      hi: quantile(v, 0.8),
      n: v.length,
    };
  });
  const tasks = Math.max(...points.map((p) => p.n));
  return {
    title: `${tasks} ${tasks === 1 ? "task" : "tasks"}: difference to ${m.baseline}`,
    xTitle: "trained parameters (log scale)",
    yTitle: `${m.source} ${metric} - ${m.baseline} (points)`,
    series: [...new Set(points.map((p) => p.series))],
    points,
    reference: points.some((p) => p.series === m.baseline) ? { series: m.baseline, y: 0 } : null,
  };
}
