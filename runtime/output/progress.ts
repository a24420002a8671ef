/**
 * What `adapt run` shows while it trains: a one-line progress bar redrawn in place on a terminal
 * (epoch, step, loss, examples/s, ETA), or plain lines (one every few percent) when the output is not a
 * terminal or NO_COLOR is set; and the closing summary. Pure formatting: the CLI decides where text goes.
 */
import type { TrainEvent } from "../train/trainer.ts";

/** How progress is shown. */
export interface ProgressOptions {
  /** Redraw one line in place (a terminal without NO_COLOR). */
  readonly tty: boolean;
  /** Terminal width for the bar. */
  readonly width?: number;
}

/** Seconds as `1h02m`, `3m04s` or `12s`. */
export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return "?";
  const s = Math.round(sec);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}

/** A byte count as `12.3 KB`, `4.5 MB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function metricsText(metrics: Record<string, number>): string {
  return Object.entries(metrics)
    .map(([k, v]) => `${k} ${v.toFixed(4)}`)
    .join(", ");
}

/** Turns training events into text to write (on stderr); returns "" when nothing is to be shown. */
export class ProgressRenderer {
  private lastPlain = -1;
  private open = false;

  constructor(private readonly options: ProgressOptions) {}

  /** The text for one event. */
  render(e: TrainEvent): string {
    switch (e.type) {
      case "start":
        return e.resumedAt > 0
          ? `resuming at step ${e.resumedAt} of ${e.totalSteps}\n`
          : `training: ${e.totalSteps} steps (${e.stepsPerEpoch} per epoch), ${e.trainable} trainable parameters\n`;
      case "step":
        return this.step(e);
      case "eval":
        return `${this.close()}epoch ${e.epoch} ${e.split}: ${metricsText(e.metrics)}${e.best ? " (best)" : ""}\n`;
      case "checkpoint":
        return "";
    }
  }

  /** Ends the in-place line (before other output). */
  close(): string {
    if (!this.open) return "";
    this.open = false;
    return "\n";
  }

  private step(e: Extract<TrainEvent, { type: "step" }>): string {
    const facts = `epoch ${e.epoch} step ${e.globalStep}/${e.totalSteps} loss ${e.loss.toFixed(4)} ${e.examplesPerSec.toFixed(1)} ex/s ETA ${formatDuration(e.etaSec)}`;
    if (this.options.tty) {
      const width = Math.max(10, Math.min(30, (this.options.width ?? 80) - facts.length - 4));
      const filled = Math.round((width * e.globalStep) / e.totalSteps);
      this.open = true;
      return `\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${facts}\x1b[K`;
    }
    const pct = Math.floor((100 * e.globalStep) / e.totalSteps / 5);
    if (pct === this.lastPlain && e.globalStep !== e.totalSteps) return "";
    this.lastPlain = pct;
    return `${facts}\n`;
  }
}

/** The facts of the closing summary. */
export interface RunSummary {
  readonly best: { metric: string; value: number; epoch: number } | null;
  readonly test: Record<string, number> | null;
  readonly trainable: number;
  readonly baseParams: number;
  readonly artifactBytes: number | null;
  readonly baseBytes: number | null;
  readonly seconds: number;
  readonly steps: number;
  readonly paths: Record<string, string>;
}

/** The closing summary, one fact per line. */
export function renderSummary(s: RunSummary): string {
  const lines = ["", "done"];
  if (s.best) lines.push(`  best ${s.best.metric}: ${s.best.value.toFixed(4)} (epoch ${s.best.epoch})`);
  if (s.test) lines.push(`  test: ${metricsText(s.test)}`);
  const pct = s.baseParams > 0 ? ` (${((100 * s.trainable) / s.baseParams).toFixed(2)}% of the base)` : "";
  lines.push(`  trained parameters: ${s.trainable}${pct}`);
  if (s.artifactBytes !== null) {
    const rel = s.baseBytes ? ` (${((100 * s.artifactBytes) / s.baseBytes).toFixed(2)}% of the base model)` : "";
    lines.push(`  artifact size: ${formatBytes(s.artifactBytes)}${rel}`);
  }
  lines.push(
    `  time: ${formatDuration(s.seconds)} for ${s.steps} steps (${(s.steps / Math.max(s.seconds, 1e-9)).toFixed(2)} steps/s)`,
  );
  for (const [k, v] of Object.entries(s.paths)) lines.push(`  ${k}: ${v}`);
  return `${lines.join("\n")}\n`;
}
