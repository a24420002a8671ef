/**
 * Wall time per method of the paper experiment, from the sweeps' `results.jsonl` (one line per finished
 * point, with its `seconds` and `series`; see the sweep contract): a Markdown table of points and seconds
 * per task and series, and the totals. Points listed twice (a point re-run after a crash) count once,
 * the last line winning.
 *
 * Usage: npx tsx experiments/paper/wall-times.ts RUNS_DIR > results/wall-times.md
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The fields of a results.jsonl line that the table uses. */
interface Point {
  readonly id: string;
  readonly series: string;
  readonly seconds: number;
  readonly backend?: string;
}

/** The finished points of one sweep folder, by id (empty when it has no results yet). */
export function readPoints(sweepDir: string): Point[] {
  const file = join(sweepDir, "results.jsonl");
  if (!existsSync(file)) return [];
  const byId = new Map<string, Point>();
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    const p = JSON.parse(line) as Point;
    byId.set(p.id, p);
  }
  return [...byId.values()];
}

const fmt = (s: number): string => (s >= 600 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(0)} s`);

/** The Markdown table for the sweep folders under `runsDir` (one per task). */
export function wallTimes(runsDir: string): string {
  const tasks = readdirSync(runsDir)
    .filter((d) => existsSync(join(runsDir, d, "results.jsonl")))
    .sort();
  const rows: string[] = [];
  const bySeries = new Map<string, { n: number; s: number }>();
  const backends = new Set<string>();
  for (const task of tasks) {
    const points = readPoints(join(runsDir, task));
    const series = [...new Set(points.map((p) => p.series))].sort();
    for (const name of series) {
      const of = points.filter((p) => p.series === name);
      const s = of.reduce((a, p) => a + p.seconds, 0);
      rows.push(`| ${task} | ${name} | ${of.length} | ${fmt(s)} | ${(s / of.length).toFixed(1)} s |`);
      const t = bySeries.get(name) ?? { n: 0, s: 0 };
      bySeries.set(name, { n: t.n + of.length, s: t.s + s });
    }
    for (const p of points) if (p.backend) backends.add(p.backend);
  }
  const all = [...bySeries.values()].reduce((a, t) => ({ n: a.n + t.n, s: a.s + t.s }), { n: 0, s: 0 });
  const totals = [...bySeries.entries()]
    .sort()
    .map(([name, t]) => `| all tasks | ${name} | ${t.n} | ${fmt(t.s)} | ${(t.s / t.n).toFixed(1)} s |`);
  return [
    "# Wall time per method",
    "",
    `Seconds per finished point as the sweeps recorded them (training, evaluation and saving; backend: ${[...backends].sort().join(", ") || "none recorded"}).`,
    "",
    "| task | method | points | total | per point |",
    "|---|---|---|---|---|",
    ...rows,
    ...totals,
    `| all tasks | all methods | ${all.n} | ${fmt(all.s)} | ${all.n > 0 ? (all.s / all.n).toFixed(1) : "-"} s |`,
    "",
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(wallTimes(process.argv[2] ?? "runs"));
