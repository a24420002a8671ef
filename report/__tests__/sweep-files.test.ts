import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { parseManifest, parseResults, parseSummary } from "../sweep-files.ts";
import { checkConsistency, type SweepFolder } from "../consistency.ts";

const DIR = new URL("./fixtures/sweeps/spam/", import.meta.url).pathname;
const text = (f: string): string => readFileSync(DIR + f, "utf8");

function folder(
  results = text("results.jsonl"),
  summary = text("summary.json"),
  manifest = text("sweep.json"),
): SweepFolder {
  return {
    manifest: parseManifest(manifest, "sweep.json").value!,
    results: parseResults(results, "results.jsonl").value,
    summary: parseSummary(summary, "summary.json").value!,
    files: { manifest: "sweep.json", results: "results.jsonl", summary: "summary.json" },
  };
}

describe("the sweep files", () => {
  it("parse the fixture sweep without a problem", () => {
    const m = parseManifest(text("sweep.json"), "sweep.json");
    const r = parseResults(text("results.jsonl"), "results.jsonl");
    const s = parseSummary(text("summary.json"), "summary.json");
    expect([m.diagnostics, r.diagnostics, s.diagnostics]).toEqual([[], [], []]);
    expect(m.value!.points).toHaveLength(20);
    expect(r.value.map((x) => x.line)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(
      s
        .value!.configs.filter((c) => c.selectedInVariant)
        .map((c) => c.variant)
        .sort(),
    ).toEqual(["adapters.m64", "adapters.m8", "full", "top.n1", "top.n3"]);
  });

  it("name the line of a truncated or malformed results line (ADAPT981)", () => {
    const lines = text("results.jsonl").trimEnd().split("\n");
    const broken = [
      ...lines.slice(0, 3),
      lines[3]!.replace(/"id":"[^"]*"/, '"id":3'),
      ...lines.slice(3, 19),
      lines[19]!.slice(0, 80),
    ].join("\n");
    const r = parseResults(broken, "results.jsonl");
    expect(r.value).toHaveLength(19);
    expect(
      r.diagnostics.map((d) => [d.code, d.span.start.line, d.span.start.column, d.span.end.column, d.message]),
    ).toEqual([
      ["ADAPT981", 4, 2, 7, "line 4 of the results is malformed: `id` must be string"],
      ["ADAPT981", 21, 81, 82, expect.stringMatching(/^line 21 of the results is not valid JSON: /)],
    ]);
  });

  it("only warn about a damaged line whose point ran again (adapt sweep appends the new result)", () => {
    const lines = text("results.jsonl").trimEnd().split("\n");
    const damaged = [...lines.slice(0, 5), lines[5]!.slice(0, 40), ...lines.slice(6), lines[5]!].join("\n");
    const r = parseResults(damaged, "results.jsonl");
    expect(r.value.map((x) => x.value.id)).toContain(JSON.parse(lines[5]!).id);
    expect(r.diagnostics.map((d) => [d.severity, d.span.start.line, d.message])).toEqual([
      [
        "warning",
        6,
        expect.stringMatching(/^line 6 of the results is not valid JSON: .*; its point ran again and line 21 is used$/),
      ],
    ]);
    const lost = [...lines.slice(0, 5), lines[5]!.slice(0, 40), ...lines.slice(6)].join("\n");
    expect(parseResults(lost, "results.jsonl").diagnostics.map((d) => d.severity)).toEqual(["error"]);
  });

  it("accept what a sweep writes for a metric no seed has (NaN, written as null) and a sweep without a selection", () => {
    const raw = JSON.parse(text("summary.json")) as {
      selected: string | null;
      configs: { test: Record<string, unknown> }[];
    };
    raw.selected = null;
    raw.configs[0]!.test = { accuracy: { mean: null, std: 0, n: 0 } };
    const s = parseSummary(JSON.stringify(raw), "summary.json");
    expect(s.diagnostics).toEqual([]);
    expect([s.value!.selected, s.value!.configs[0]!.test]).toEqual([null, {}]);
    const line = text("results.jsonl")
      .split("\n")[0]!
      .replace(/"validation":\{[^}]*\}/, '"validation":null');
    expect(parseResults(line, "results.jsonl").diagnostics).toEqual([]);
  });

  it("refuse a manifest or summary that is not one (ADAPT980, ADAPT982)", () => {
    expect(parseManifest('{"version": 2}', "s.json").diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["ADAPT980", "the sweep manifest is malformed: `specHash` is missing"],
    ]);
    expect(parseManifest("[1,", "s.json").diagnostics[0]!.message).toMatch(/^the sweep manifest is not valid JSON: /);
    const bad = JSON.parse(text("summary.json")) as { configs: { params: object }[] };
    bad.configs[2]!.params = {};
    expect(parseSummary(JSON.stringify(bad), "summary.json").diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["ADAPT982", "the sweep summary is malformed: `configs.2.params.base` is missing"],
    ]);
  });
});

describe("results of different sweeps mixed (ADAPT983)", () => {
  it("accept one sweep's files", () => {
    expect(checkConsistency(folder())).toEqual([]);
  });

  it("refuse a results line of a point the manifest lacks, with the closest id", () => {
    const other = text("results.jsonl").replaceAll("top.n3~lr=0.0001~seed=2", "top.n3~lr=0.0001~seed=9");
    const d = checkConsistency(folder(other));
    expect(d.map((x) => [x.code, x.span.start.line, x.message])).toEqual([
      ["ADAPT983", 17, "point `top.n3~lr=0.0001~seed=9` on line 17 of the results is not in the sweep's manifest"],
    ]);
    expect(d[0]!.help).toMatch(/^did you mean `top\.n3~lr=0\.0001~seed=[123]`\?/);
  });

  it("refuse a point whose variant differs from the manifest's, and two different results of one point", () => {
    const lines = text("results.jsonl").trimEnd().split("\n");
    const moved = lines[0]!.replace('"variant":"adapters.m8"', '"variant":"adapters.m16"');
    const again = lines[1]!.replace('"seconds":', '"seconds":1');
    const d = checkConsistency(folder([moved, ...lines.slice(1), again].join("\n")));
    expect(d.map((x) => [x.span.start.line, x.message])).toEqual([
      [
        1,
        "point `adapters.m8~lr=0.0003~seed=1` has variant `adapters.m16` on line 1 of the results but `adapters.m8` in the manifest",
      ],
      [21, "point `adapters.m8~lr=0.001~seed=1` has two different results, on lines 2 and 21"],
    ]);
  });

  it("refuse a summary of another metric or configuration", () => {
    const s = text("summary.json")
      .replace('"metric": "accuracy"', '"metric": "f1"')
      .replaceAll("full~lr=0.00002", "full~lr=0.1");
    expect(checkConsistency(folder(undefined, s)).map((x) => [x.file, x.message])).toEqual([
      ["summary.json", "the summary selects by validation.f1 (max) but the manifest by validation.accuracy (max)"],
      ["summary.json", "the summary names configuration `full~lr=0.1`, which is not in the manifest"],
    ]);
  });
});
