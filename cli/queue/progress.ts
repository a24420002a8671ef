/**
 * The progress of a queued sweep: points done / running / failed / waiting, each worker's throughput
 * (points finished per minute since its first point of this sweep started) and the ETA (the points
 * left over the workers' summed throughput). A live table on a TTY, one JSON line per change otherwise.
 */

/** One point's state as the queue reports it. */
export interface PointState {
  readonly id: string;
  readonly state: "done" | "running" | "failed" | "waiting";
  readonly worker?: string | undefined;
  /** When a worker took it and when it finished (ms since the epoch). */
  readonly startedAt?: number | undefined;
  readonly finishedAt?: number | undefined;
}

/** One worker's line. */
export interface WorkerRate {
  readonly worker: string;
  readonly done: number;
  readonly running: number;
  readonly pointsPerMinute: number;
}

/** The whole sweep at one moment. */
export interface Snapshot {
  readonly total: number;
  readonly done: number;
  readonly running: number;
  readonly failed: number;
  readonly waiting: number;
  readonly workers: readonly WorkerRate[];
  /** Seconds left at the current throughput; null before any point finished. */
  readonly etaSeconds: number | null;
}

/** The snapshot of `points` at time `now`. */
export function snapshot(points: readonly PointState[], now: number): Snapshot {
  const count = (s: PointState["state"]) => points.filter((p) => p.state === s).length;
  const names = [...new Set(points.flatMap((p) => (p.worker && p.state !== "waiting" ? [p.worker] : [])))].sort();
  const workers = names.map((worker) => {
    const mine = points.filter((p) => p.worker === worker);
    const done = mine.filter((p) => p.state === "done");
    const first = Math.min(...mine.map((p) => p.startedAt ?? now));
    const minutes = Math.max(1e-3, (now - first) / 60_000);
    return {
      worker,
      done: done.length,
      running: mine.filter((p) => p.state === "running").length,
      pointsPerMinute: done.length / minutes,
    };
  });
  const rate = workers.reduce((a, w) => a + w.pointsPerMinute, 0);
  const left = count("running") + count("waiting");
  const etaSeconds = rate > 0 && count("done") > 0 ? (left / rate) * 60 : null;
  return {
    total: points.length,
    done: count("done"),
    running: count("running"),
    failed: count("failed"),
    waiting: count("waiting"),
    workers,
    etaSeconds,
  };
}

function duration(s: number | null): string {
  if (s === null) return "-";
  const m = Math.floor(s / 60);
  return m > 0 ? `${m} min ${Math.round(s % 60)} s` : `${Math.round(s)} s`;
}

/** The snapshot as a table (the TTY view). */
export function progressTable(s: Snapshot): string {
  const lines = [
    `points: ${s.done} done, ${s.running} running, ${s.failed} failed, ${s.waiting} waiting (of ${s.total}); ETA ${duration(s.etaSeconds)}`,
    ...s.workers.map(
      (w) =>
        `  ${w.worker.padEnd(28)} ${String(w.done).padStart(4)} done  ${String(w.running).padStart(2)} running  ${w.pointsPerMinute.toFixed(2).padStart(7)} points/min`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}

/** Writes snapshots: redrawn in place on a TTY, a JSON line per change otherwise. */
export class ProgressView {
  private shownLines = 0;
  private last = "";

  constructor(
    private readonly write: (text: string) => void,
    private readonly tty: boolean,
  ) {}

  show(s: Snapshot): void {
    const key = JSON.stringify({
      ...s,
      etaSeconds: null,
      workers: s.workers.map((w) => [w.worker, w.done, w.running]),
    });
    if (this.tty) {
      const text = progressTable(s);
      this.write(`${this.shownLines > 0 ? `\x1b[${this.shownLines}A\x1b[J` : ""}${text}`);
      this.shownLines = text.split("\n").length - 1;
    } else if (key !== this.last) {
      const round = (x: number) => Math.round(x * 1000) / 1000;
      this.write(
        `${JSON.stringify({ type: "progress", ...s, etaSeconds: s.etaSeconds === null ? null : Math.round(s.etaSeconds), workers: s.workers.map((w) => ({ ...w, pointsPerMinute: round(w.pointsPerMinute) })) })}\n`,
      );
    }
    this.last = key;
  }

  /** Lets ordinary lines be written below the table (the table is drawn afresh next time). */
  release(): void {
    this.shownLines = 0;
  }
}
