/**
 * The sweep's results, summarised: points grouped into configurations (points that differ only in their
 * seed), mean and sample standard deviation of each metric over the seeds, configurations ranked by the
 * validation mean of the selection metric, the selected configuration of each variant and of the
 * sweep, and the Markdown table `adapt sweep` prints. Pure: no file system.
 */
import type { AxisValue } from "./types.ts";

/** How configurations are compared: the plan's `select best by SPLIT.METRIC`. */
export interface SelectRule {
  readonly split: string;
  readonly metric: string;
  readonly direction: "max" | "min";
}

/** The parameter counts of a point (the compiled plan's totals). */
export interface ParamCounts {
  readonly base: number;
  readonly added: number;
  readonly head: number;
  readonly trainable: number;
  readonly trainablePercent: number;
}

/** Who a point is, as the manifest, the results and `explain` name it. */
export interface PointIdentity {
  readonly id: string;
  readonly variant: string;
  readonly series: string;
  readonly member: string | null;
  readonly config: string;
  readonly axes: Readonly<Record<string, AxisValue>>;
  readonly seed: number;
  readonly stage: 1 | 2;
}

/** One line of `results.jsonl`. */
export interface ResultLine extends PointIdentity {
  readonly params: ParamCounts;
  readonly validation: Readonly<Record<string, number>> | null;
  readonly test?: Readonly<Record<string, number>>;
  readonly testSelected: boolean;
  readonly epochs: number;
  readonly steps: number;
  readonly seconds: number;
  readonly backend: string;
  readonly dir: string;
}

/** Mean, sample standard deviation (n-1; 0 for one value) and count. */
export interface Stat {
  readonly mean: number;
  readonly std: number;
  readonly n: number;
}

/** One configuration of `summary.json`. */
export interface ConfigSummary {
  readonly config: string;
  readonly variant: string;
  readonly series: string;
  readonly member: string | null;
  readonly axes: Readonly<Record<string, AxisValue>>;
  readonly seeds: number[];
  readonly params: ParamCounts;
  readonly validation: Record<string, Stat>;
  readonly test: Record<string, Stat>;
  readonly seconds: number;
  rank: number;
  selected: boolean;
  selectedInVariant: boolean;
}

/** `summary.json`. */
export interface SweepSummary {
  readonly select: SelectRule;
  readonly configs: ConfigSummary[];
  readonly selected: string | null;
}

/** Mean and sample standard deviation of `xs`. */
export function stat(xs: readonly number[]): Stat {
  const n = xs.length;
  const mean = n === 0 ? NaN : xs.reduce((s, x) => s + x, 0) / n;
  const std = n < 2 ? 0 : Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  return { mean, std, n };
}

function stats(rows: readonly (Readonly<Record<string, number>> | null | undefined)[]): Record<string, Stat> {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r ?? {})))];
  return Object.fromEntries(
    keys.map((k) => [k, stat(rows.map((r) => r?.[k]).filter((x): x is number => typeof x === "number"))]),
  );
}

/** Summarises `results` (one line per point; `order` is the point order, for ties). */
export function summarize(results: readonly ResultLine[], select: SelectRule, order: readonly string[]): SweepSummary {
  const groups = new Map<string, ResultLine[]>();
  for (const r of results) groups.set(r.config, [...(groups.get(r.config) ?? []), r]);
  const position = (c: string) => {
    const i = order.findIndex((id) => groups.get(c)!.some((r) => r.id === id));
    return i < 0 ? order.length : i;
  };
  const configs: ConfigSummary[] = [...groups.entries()].map(([config, rows]) => {
    const { seed: _seed, ...axes } = rows[0]!.axes;
    return {
      config,
      variant: rows[0]!.variant,
      series: rows[0]!.series,
      member: rows[0]!.member,
      axes,
      seeds: rows.map((r) => r.seed).sort((a, b) => a - b),
      params: rows[0]!.params,
      validation: stats(rows.map((r) => r.validation)),
      test: stats(rows.map((r) => r.test)),
      seconds: rows.reduce((s, r) => s + r.seconds, 0),
      rank: 0,
      selected: false,
      selectedInVariant: false,
    };
  });
  const score = (c: ConfigSummary) => {
    const m = c.validation[select.metric]?.mean;
    return m === undefined || Number.isNaN(m) ? -Infinity : select.direction === "max" ? m : -m;
  };
  configs.sort((a, b) => score(b) - score(a) || position(a.config) - position(b.config));
  configs.forEach((c, i) => (c.rank = i + 1));
  for (const c of configs) c.selectedInVariant = configs.find((x) => x.variant === c.variant) === c;
  if (configs[0]) configs[0].selected = true;
  return { select, configs, selected: configs[0]?.config ?? null };
}

/** True when `config` is its variant's selected configuration given `results`. */
export function isSelectedInVariant(
  results: readonly ResultLine[],
  select: SelectRule,
  order: readonly string[],
  config: string,
): boolean {
  return summarize(results, select, order).configs.some((c) => c.config === config && c.selectedInVariant);
}

function fmt(s: Stat | undefined): string {
  if (s === undefined || s.n === 0 || Number.isNaN(s.mean)) return "-";
  return s.n > 1 ? `${s.mean.toFixed(4)} ± ${s.std.toFixed(4)}` : s.mean.toFixed(4);
}

/** The ranked Markdown table: test only for the selected configuration of each variant. */
export function summaryTable(summary: SweepSummary): string {
  const m = summary.select.metric;
  const header = [
    "rank",
    "configuration",
    `${summary.select.split} ${m}`,
    `test ${m}`,
    "seeds",
    "trainable params",
    "% of base",
    "seconds",
  ];
  const rows = summary.configs.map((c) => [
    `${c.rank}${c.selected ? " *" : c.selectedInVariant ? " +" : ""}`,
    `\`${c.config}\``,
    fmt(c.validation[m]),
    c.selectedInVariant ? fmt(c.test[m]) : "",
    String(c.seeds.length),
    c.params.trainable.toLocaleString("en-US"),
    c.params.trainablePercent.toFixed(3),
    c.seconds.toFixed(1),
  ]);
  const line = (r: readonly string[]) => `| ${r.join(" | ")} |`;
  const legend =
    "\n`*` the sweep's selected configuration, `+` the selected configuration of its variant; test is shown for those only; mean ± sample std over the seeds.\n";
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n") + "\n" + legend;
}
