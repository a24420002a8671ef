/**
 * The data of a task's two figures, from the report model and the runs' training logs: the trade-off
 * (the reported metric against trained parameters, one point per variant's selected configuration,
 * error bars of one standard deviation over seeds) and the training curves of those configurations'
 * runs. Plain values; `plot.ts` draws them.
 */
import { inPoints, scaled } from "./format.ts";
import { reported, type TaskSection } from "./model.ts";
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
  /** Variants in legend order. */
  readonly variants: readonly string[];
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
    return [{ series: r.series, member: r.member, variant: r.variant, params: r.params.trainable, y, lo: y - e, hi: y + e, n: s.n }];
  });
  const base = points.filter((p) => p.series === baseline);
  return {
    title: t.name, xTitle: "trained parameters (log scale)", yTitle: `${t.source} ${metric}${axisUnit(metric)}`,
    series: [...new Set(points.map((p) => p.series))], points, reference: base.length === 1 ? { series: baseline, y: base[0]!.y } : null,
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
      return [{
        variant: r.variant, run: `${r.variant} seed ${p.seed}`,
        loss: thinLoss(log.loss, MAX_LOSS_POINTS),
        evals: evals.map((e) => ({ step: e.step, value: scaled(e.metrics[metric]!, metric) })),
      }];
    }),
  );
  return {
    title: `${t.name}: training curves of the selected configurations`, lossTitle: "training loss",
    metricTitle: `${t.select.split} ${metric}${axisUnit(metric)}`, variants: [...new Set(runs.map((r) => r.variant))], runs,
  };
}
