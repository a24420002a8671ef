import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { parseManifest, parseResults, parseSummary } from "../sweep-files.ts";
import { buildReport, type ReportTask } from "../model.ts";
import { renderMarkdown } from "../markdown.ts";
import { curvesFigure, quantile, summaryFigure, tradeoffFigure } from "../figures.ts";
import { drawCurves, drawTradeoff } from "../plot.ts";
import { parseTrainingLog } from "../training-log.ts";
import { countText, percentText, secondsText, signedText, statText } from "../format.ts";

const ROOT = new URL("./fixtures/sweeps/", import.meta.url).pathname;
const read = (task: string, f: string): string => readFileSync(`${ROOT}${task}/${f}`, "utf8");

function task(name: string): ReportTask {
  return {
    name,
    folder: {
      manifest: parseManifest(read(name, "sweep.json"), "sweep.json").value!,
      results: parseResults(read(name, "results.jsonl"), "results.jsonl").value,
      summary: parseSummary(read(name, "summary.json"), "summary.json").value!,
      files: { manifest: "sweep.json", results: "results.jsonl", summary: "summary.json" },
    },
  };
}

/** Every element of a parsed SVG with its attributes, depth first. */
function elements(node: unknown, out: Record<string, string>[] = []): Record<string, string>[] {
  if (Array.isArray(node)) node.forEach((n) => elements(n, out));
  else if (typeof node === "object" && node !== null) {
    const attrs = (node as Record<string, unknown>)[":@"] as Record<string, string> | undefined;
    if (attrs) out.push(attrs);
    for (const [k, v] of Object.entries(node)) if (k !== ":@") elements(v, out);
  }
  return out;
}

function parseSvg(svg: string): Record<string, string>[] {
  expect(XMLValidator.validate(svg)).toBe(true);
  return elements(new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", preserveOrder: true }).parse(svg));
}

const model = buildReport([task("spam"), task("sentiment")]);

describe("the report's tables", () => {
  it("summarise the series across tasks, with the gap to full fine-tuning", () => {
    const md = renderMarkdown(model);
    expect(md).toContain(
      [
        "| series | tasks | test accuracy (%) | trained params (% of base) | gap to full (points) |",
        "|---|---:|---:|---:|---:|",
        "| adapters | 2 | 94.3 | 2.66% | -0.6 |",
        "| top | 2 | 92.1 | 23.4% | -2.8 |",
        "| full | 2 | 94.9 | 100% | - |",
      ].join("\n"),
    );
    expect(md).toContain(
      [
        "| task | adapters | top | full |",
        "|---|---:|---:|---:|",
        "| sentiment | 92.5 ± 0.2 (m64) | 90.1 ± 0.4 (n3) | 92.9 ± 0.2 |",
        "| spam | 96.2 ± 0.3 (m64) | 94.2 ± 0.4 (n3) | 96.9 ± 0.5 |",
        "| mean | 94.3 | 92.1 | 94.9 |",
        "| trained params | 2.66% | 23.4% | 100% |",
      ].join("\n"),
    );
  });

  it("list each variant's selected configuration per task, in the manifest's order, with times", () => {
    const md = renderMarkdown(model);
    const spam = md.slice(md.indexOf("## spam"));
    expect(spam).toContain(
      [
        "| variant | configuration | trained params | % of base | validation accuracy | test accuracy | seeds | time per run | variant time |",
        "|---|---|---:|---:|---:|---:|---|---:|---:|",
        "| adapters.m8 | optimizer.lr=0.001 | 88,418 | 0.389% | 95.2 ± 0.1 | 94.8 ± 0.2 | 1, 2, 3 | 35 s | 2 min 21 s (4 runs) |",
        "| adapters.m64 | optimizer.lr=0.001 | 605,186 | 2.66% | 96.5 ± 0.2 | 96.2 ± 0.3 | 1, 2, 3 | 37 s | 2 min 27 s (4 runs) |",
        "| top.n1 | optimizer.lr=0.0001 | 1,775,234 | 7.82% | 93.0 ± 0.2 | 92.9 ± 0.3 | 1, 2, 3 | 41 s | 2 min 42 s (4 runs) |",
        "| top.n3 | optimizer.lr=0.0001 | 5,324,162 | 23.4% | 94.7 ± 0.2 | 94.2 ± 0.4 | 1, 2, 3 | 49 s | 3 min 16 s (4 runs) |",
        "| full * | optimizer.lr=0.00005 | 22,713,986 | 100% | 97.2 ± 0.3 | 96.9 ± 0.5 | 1, 2, 3 | 1 min 30 s | 6 min 02 s (4 runs) |",
      ].join("\n"),
    );
    expect(spam).toContain(
      "20 of 20 points finished; 16 min 47 s of training in all on tensorflow; the base model has 22,713,216 parameters.",
    );
    expect(spam).toContain("![spam: test accuracy against trained parameters](spam.tradeoff.svg)");
    expect(md.indexOf("## sentiment")).toBeLessThan(md.indexOf("## spam"));
  });

  it("measure the gap to another baseline series when asked, and none without one", () => {
    const md = renderMarkdown(buildReport([task("spam")], "top"));
    expect(md).toContain("| adapters | 1 | 96.2 | 2.66% | +2.0 |");
    expect(renderMarkdown(buildReport([task("spam")], "nothing"))).not.toContain("gap to");
  });

  it("formats numbers the same way everywhere", () => {
    expect([
      countText(22713216),
      percentText(0.3787),
      percentText(2.8),
      percentText(100.003),
      percentText(23.44),
    ]).toEqual(["22,713,216", "0.379%", "2.8%", "100%", "23.4%"]);
    expect([secondsText(4.25), secondsText(63.2), secondsText(3600 * 2 + 5 * 60 + 10)]).toEqual([
      "4.3 s",
      "1 min 03 s",
      "2 h 05 min",
    ]);
    expect([
      signedText(-0.04, "accuracy"),
      signedText(0.44, "accuracy"),
      statText({ mean: 0.25, std: 0.01, n: 3 }, "loss"),
    ]).toEqual(["0.0", "+0.4", "0.2500 ± 0.0100"]);
  });
});

describe("the figures", () => {
  it("draw the trade-off: one point per variant, a line per series, error bars, a log axis and a legend", async () => {
    const spam = model.tasks.find((t) => t.name === "spam")!;
    const { svg, warnings } = await drawTradeoff(tradeoffFigure(spam));
    expect(warnings).toEqual([]);
    const all = parseSvg(svg);
    const points = all
      .filter((e) => e["aria-roledescription"] === "point")
      .map((e) => /method: (\w+)/.exec(e["aria-label"]!)![1]);
    expect(points).toEqual(["adapters", "adapters", "top", "top", "full"]);
    expect(all.filter((e) => e["aria-roledescription"] === "line mark")).toHaveLength(3);
    const axes = all.map((e) => e["aria-label"] ?? "").filter((l) => l.includes("-axis"));
    expect(axes[0]).toMatch(/^X-axis titled 'trained parameters \(log scale\)' for a log scale/);
    expect(axes[1]).toMatch(/^Y-axis titled 'test accuracy \(%\)'/);
    for (const label of ["100k", "1M", "10M", "adapters", "top", "full", "m8", "m64", "n1", "n3"])
      expect(svg).toContain(`>${label}</text>`);
    expect(svg.match(/class="mark-rule role-mark[^"]*"/g)).toHaveLength(2);
  });

  it("draw the training curves of every selected run, loss per step and the validation metric per evaluation", async () => {
    const spam = model.tasks.find((t) => t.name === "spam")!;
    const logs = new Map(
      spam.rows
        .flatMap((r) => r.runs)
        .map((p) => [p.id, parseTrainingLog(read("spam", `${p.dir}/log.jsonl`), "log.jsonl").value]),
    );
    const figure = curvesFigure(spam, logs);
    expect(figure.runs).toHaveLength(15);
    expect(figure.runs.every((r) => r.loss.length === 20 && r.evals.length === 2)).toBe(true);
    const { svg, warnings } = await drawCurves(figure);
    expect(warnings).toEqual([]);
    const all = parseSvg(svg);
    expect(all.filter((e) => e["aria-roledescription"] === "line mark")).toHaveLength(30);
    expect(all.filter((e) => e["aria-roledescription"] === "point")).toHaveLength(30);
    for (const label of ["training loss", "validation accuracy (%)", "training step", "adapters.m8", "full"])
      expect(svg).toContain(`>${label}</text>`);
    const strokes = new Map(
      all
        .filter((e) => e["aria-roledescription"] === "line mark")
        .map((e) => [/variant: ([\w.]+)/.exec(e["aria-label"]!)![1], e["stroke"]]),
    );
    const fills = new Map(
      parseSvg((await drawTradeoff(tradeoffFigure(spam))).svg)
        .filter((e) => e["aria-roledescription"] === "point")
        .map((e) => [/method: (\w+)/.exec(e["aria-label"]!)![1], e["fill"]]),
    );
    expect([strokes.get("adapters.m8"), strokes.get("top.n1"), strokes.get("full")]).toEqual([
      fills.get("adapters"),
      fills.get("top"),
      fills.get("full"),
    ]);
    expect(
      new Set([
        strokes.get("adapters.m8"),
        strokes.get("adapters.m64"),
        strokes.get("top.n1"),
        strokes.get("top.n3"),
        strokes.get("full"),
      ]).size,
    ).toBe(5);
  });

  it("draw the trade-off across tasks as differences to full fine-tuning: median and 20th-80th percentiles", async () => {
    const f = summaryFigure(model)!;
    const byVariant = new Map(f.points.map((p) => [p.variant, p]));
    const diff = (task: string, variant: string): number => {
      const t = model.tasks.find((x) => x.name === task)!;
      const test = (v: string): number => t.rows.find((r) => r.variant === v)!.test!.mean * 100;
      return test(variant) - test("full");
    };
    const m64 = [diff("sentiment", "adapters.m64"), diff("spam", "adapters.m64")].sort((a, b) => a - b);
    expect(byVariant.get("adapters.m64")!.y).toBeCloseTo((m64[0]! + m64[1]!) / 2, 10);
    expect(byVariant.get("adapters.m64")!.lo).toBeCloseTo(m64[0]! + 0.2 * (m64[1]! - m64[0]!), 10);
    expect(byVariant.get("full")).toMatchObject({ y: 0, lo: 0, hi: 0, n: 2 });
    expect([f.title, f.yTitle, f.reference]).toEqual([
      "2 tasks: difference to full",
      "test accuracy - full (points)",
      { series: "full", y: 0 },
    ]);
    expect(quantile([1, 2, 3, 4, 5], 0.8)).toBeCloseTo(4.2, 12);
    const all = parseSvg((await drawTradeoff(f)).svg);
    expect(all.filter((e) => e["aria-roledescription"] === "point")).toHaveLength(5);
  });

  it("draw a task with nothing to show as empty axes, without a warning", async () => {
    const empty = { title: "t", xTitle: "x", yTitle: "y", series: [], points: [], reference: null };
    const drawn = await drawTradeoff(empty);
    expect(drawn.warnings).toEqual([]);
    expect(parseSvg(drawn.svg).filter((e) => e["aria-roledescription"] === "point")).toEqual([]);
    const curves = await drawCurves({ title: "t", lossTitle: "l", metricTitle: "m", variants: [], runs: [] });
    expect(curves.warnings).toEqual([]);
  });

  it("are the same bytes when drawn again", async () => {
    const spam = model.tasks.find((t) => t.name === "spam")!;
    const [a, b] = await Promise.all([drawTradeoff(tradeoffFigure(spam)), drawTradeoff(tradeoffFigure(spam))]);
    expect(a.svg).toBe(b.svg);
  });
});
