/**
 * `report.md`: the cross-task summary by series, the per-task table in the layout of Houlsby et al.'s
 * Table 2 (tasks down, series across), and per task the selected configuration of every variant with its
 * figures embedded by relative path. Same model, same bytes: no dates, fixed formatting.
 */
import {
  axisText,
  cell,
  countText,
  inPoints,
  metricText,
  percentText,
  secondsText,
  signedText,
  statText,
} from "./format.ts";
import { reported, type ReportModel, type TaskSection, type VariantRow } from "./model.ts";

/** The file names of a task's figures, relative to `report.md`. */
export function figureFiles(task: string): { tradeoff: string; curves: string } {
  return { tradeoff: `${task}.tradeoff.svg`, curves: `${task}.curves.svg` };
}

/** The file name of the figure across tasks (no task's figure can have it: theirs have a dot before `tradeoff`). */
export const SUMMARY_FIGURE = "tradeoff.svg";

/** A relative link target that survives spaces and parentheses in a task's name. */
const link = (file: string): string => encodeURI(file).replace(/\(/g, "%28").replace(/\)/g, "%29");

const unit = (metric: string): string => (inPoints(metric) ? " (%)" : "");

function table(head: readonly string[], align: readonly ("l" | "r")[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(cell).join(" | ")} |`;
  return [line(head), `|${align.map((a) => (a === "r" ? "---:" : "---")).join("|")}|`, ...rows.map(line)].join("\n");
}

function summarySection(m: ReportModel): string[] {
  if (m.metric === null) return ["The tasks select on different metrics, so there is no table across tasks.", ""];
  const metric = m.metric;
  const gap = m.series.some((s) => s.gap !== null);
  const head = [
    "series",
    "tasks",
    `${m.source} ${metric}${unit(metric)}`,
    "trained params (% of base)",
    ...(gap ? [`gap to ${m.baseline} (points)`] : []),
  ];
  const rows = m.series.map((s) => [
    s.series,
    String(s.perTask.filter((r) => r !== null).length),
    s.mean === null ? "-" : metricText(s.mean, metric),
    s.meanPercent === null ? "-" : percentText(s.meanPercent),
    ...(gap ? [s.gap === null ? "-" : signedText(s.gap, metric)] : []),
  ]);
  const perTask = m.tasks.map((t, i) => [
    t.name,
    ...m.series.map((s) => rowCell(s.perTask[i] ?? null, m.source, metric)),
  ]);
  const means = ["mean", ...m.series.map((s) => (s.mean === null ? "-" : metricText(s.mean, metric)))];
  const params = [
    "trained params",
    ...m.series.map((s) => (s.meanPercent === null ? "-" : percentText(s.meanPercent))),
  ];
  return [
    "## Summary by series",
    "",
    `Mean over tasks of the ${m.source} ${metric} of each series. Per task, a series is represented by its variant with the best validation ${metric} (for example the adapter size), as in Houlsby et al. (2019), Table 2.${gap ? ` The gap is the mean over tasks of the difference to \`${m.baseline}\`, in points.` : ""}`,
    "",
    table(head, ["l", "r", "r", "r", ...(gap ? ["r" as const] : [])], rows),
    "",
    ...(gap
      ? [
          `![difference of the ${m.source} ${metric} to \`${m.baseline}\` against trained parameters, median and 20th-80th percentiles over tasks](${SUMMARY_FIGURE})`,
          "",
        ]
      : []),
    `## ${m.source === "test" ? "Test" : "Validation"} ${metric} per task`,
    "",
    `Mean ± standard deviation over seeds; the variant of the series in parentheses.`,
    "",
    table(
      ["task", ...m.series.map((s) => s.series)],
      ["l", ...m.series.map(() => "r" as const)],
      [...perTask, means, params],
    ),
    "",
  ];
}

function rowCell(r: VariantRow | null, source: "test" | "validation", metric: string): string {
  const s = r ? reported(r, source) : null;
  if (r === null || s === null) return "-";
  return `${statText(s, metric)}${r.member ? ` (${r.member})` : ""}`;
}

function configText(r: VariantRow): string {
  const entries = Object.entries(r.axes).filter(([k]) => k !== "seed");
  return entries.length === 0 ? "-" : entries.map(([k, v]) => `${k}=${axisText(v)}`).join(", ");
}

function taskRows(t: TaskSection): string[] {
  const metric = t.select.metric;
  const head = [
    "variant",
    "configuration",
    "trained params",
    "% of base",
    `validation ${metric}`,
    `${t.source === "test" ? "test" : "validation"} ${metric}`,
    "seeds",
    "time per run",
    "variant time",
  ];
  const rows = t.rows.map((r) => [
    `${r.variant}${r.config === t.selected ? " *" : ""}`,
    configText(r),
    countText(r.params.trainable),
    percentText(r.params.trainablePercent),
    r.validation ? statText(r.validation, metric) : "-",
    reported(r, t.source) ? statText(reported(r, t.source)!, metric) : "-",
    r.seeds.join(", "),
    secondsText(r.secondsPerRun),
    `${secondsText(r.variantSeconds)} (${r.variantPoints} runs)`,
  ]);
  return [table(head, ["l", "l", "r", "r", "r", "r", "l", "r", "r"], rows)];
}

function taskSection(t: TaskSection): string[] {
  const files = figureFiles(t.name);
  const metric = t.select.metric;
  const base = t.rows[0]?.params.base;
  return [
    `## ${t.name}`,
    "",
    `Each variant's configuration is selected on ${t.select.split} ${metric} (${t.select.direction === "max" ? "highest" : "lowest"} mean over seeds); \`*\` marks the best variant. ${t.finished} of ${t.total} points finished; ${secondsText(t.seconds)} of training in all on ${t.backends.join(", ") || "no backend"}${base !== undefined ? `; the base model has ${countText(base)} parameters` : ""}.`,
    "",
    ...taskRows(t),
    "",
    `![${t.name}: ${t.source} ${metric} against trained parameters](${link(files.tradeoff)})`,
    "",
    `![${t.name}: training loss and ${t.select.split} ${metric} of the selected configurations](${link(files.curves)})`,
    "",
  ];
}

/** The text of `report.md`. */
export function renderMarkdown(m: ReportModel): string {
  const metric = m.metric ?? "metric";
  const intro = `${m.tasks.length} ${m.tasks.length === 1 ? "task" : "tasks"}: ${m.tasks.map((t) => t.name).join(", ")}. Values are the ${m.source} ${metric}${inPoints(metric) ? " in percent" : ""}, mean ± sample standard deviation over seeds, of the configuration selected on validation; trained parameters include the task head.`;
  const lines = ["# Sweep report", "", intro, "", ...summarySection(m), ...m.tasks.flatMap(taskSection)];
  return `${lines.join("\n").trimEnd()}\n`;
}
