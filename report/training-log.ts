/**
 * The training curves in a point's `log.jsonl`, as `adapt run` writes it (runtime/train/trainer.ts):
 * `{"event":"step","step":N,"loss":L,...}` after every step, `{"event":"eval","epoch":E,"split":S,
 * "metrics":{...}}` after every epoch, `{"event":"resume","globalStep":G}` when `--resume` continues from
 * the checkpoint at step G. Steps and evaluations logged after that checkpoint by the interrupted run are
 * replaced by the resumed run's; a run started over without `--resume` (the step count falls back)
 * replaces everything before it. Pure: the caller reads the file.
 */
import type { Diagnostic, StageResult } from "../compiler/diagnostics/diagnostic.ts";
import { lineDiag } from "./sweep-files.ts";

/** One training step's loss. */
export interface LossPoint {
  readonly step: number;
  readonly loss: number;
}

/** One evaluation: its epoch, the step count when it ran, the split and its metrics. */
export interface EvalPoint {
  readonly epoch: number;
  readonly step: number;
  readonly split: string;
  readonly metrics: Readonly<Record<string, number>>;
}

/** The curves of one run. */
export interface TrainingCurves {
  readonly loss: LossPoint[];
  readonly evals: EvalPoint[];
}

const isNum = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

function metricsOf(x: unknown): Record<string, number> | null {
  if (typeof x !== "object" || x === null || Array.isArray(x)) return null;
  const entries = Object.entries(x).filter((e): e is [string, number] => isNum(e[1]));
  return Object.fromEntries(entries);
}

/** Applies one record to the curves; false when the record is not understood. */
function apply(curves: { loss: LossPoint[]; evals: EvalPoint[] }, r: Record<string, unknown>): boolean {
  const last = curves.loss.at(-1)?.step ?? 0;
  switch (r["event"]) {
    case "step": {
      const step = r["step"];
      if (!isNum(step) || !isNum(r["loss"])) return false;
      if (step <= last) {
        curves.loss = curves.loss.filter((p) => p.step < step);
        curves.evals = curves.evals.filter((e) => e.step < step);
      }
      curves.loss.push({ step, loss: r["loss"] });
      return true;
    }
    case "eval": {
      const metrics = metricsOf(r["metrics"]);
      if (!isNum(r["epoch"]) || metrics === null) return false;
      const epoch = r["epoch"];
      curves.evals = curves.evals.filter((e) => e.epoch !== epoch);
      curves.evals.push({
        epoch,
        step: last,
        split: typeof r["split"] === "string" ? r["split"] : "validation",
        metrics,
      });
      return true;
    }
    case "resume": {
      if (!isNum(r["globalStep"])) return false;
      const at = r["globalStep"];
      curves.loss = curves.loss.filter((p) => p.step <= at);
      curves.evals = curves.evals.filter((e) => e.step <= at);
      return true;
    }
    default:
      return true;
  }
}

/**
 * The curves of a `log.jsonl` text. A line that is not JSON or not understood is left out with an
 * ADAPT981 warning naming it (the report is still written).
 */
export function parseTrainingLog(text: string, file: string): StageResult<TrainingCurves> {
  const curves = { loss: [] as LossPoint[], evals: [] as EvalPoint[] };
  const diagnostics: Diagnostic[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") return;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      record = null;
    }
    const ok =
      typeof record === "object" &&
      record !== null &&
      !Array.isArray(record) &&
      apply(curves, record as Record<string, unknown>);
    if (!ok)
      diagnostics.push(
        lineDiag(
          "ADAPT981",
          file,
          i + 1,
          { from: 1, to: line.length + 1 },
          `line ${i + 1} of the training log is not a log record; the curves leave it out`,
          undefined,
          "warning",
        ),
      );
  });
  return { value: curves, diagnostics };
}

/**
 * At most `max` loss points: consecutive steps averaged in equal windows (each point at its window's
 * last step), so that a long run's curve stays readable and its SVG small.
 */
export function thinLoss(loss: readonly LossPoint[], max: number): LossPoint[] {
  if (loss.length <= max) return [...loss];
  const window = Math.ceil(loss.length / max);
  const out: LossPoint[] = [];
  for (let i = 0; i < loss.length; i += window) {
    const part = loss.slice(i, i + window);
    out.push({ step: part.at(-1)!.step, loss: part.reduce((s, p) => s + p.loss, 0) / part.length });
  }
  return out;
}
