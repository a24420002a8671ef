import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDatasets, labelNamesOf, readSplit } from "../load.ts";
import { splitCsv } from "../rows.ts";
import type { TrainingPlanIR } from "../../../compiler/ir/types.ts";

const dir = join(import.meta.dirname, "fixtures");
const data = (over: Partial<TrainingPlanIR["data"]>): TrainingPlanIR["data"] => ({
  train: "train.jsonl",
  validation: null,
  test: null,
  format: null,
  text: "sentence",
  textPair: null,
  label: "label",
  ...over,
});
const cls = { kind: "classifier", classes: 2 } as const;

describe("data", () => {
  it("reads JSONL and maps string labels in sorted order", async () => {
    const r = await loadDatasets(data({}), dir, cls);
    expect(r.diagnostics).toEqual([]);
    expect(r.value!.labelNames).toEqual(["neg", "pos"]);
    expect(r.value!.train.map((e) => [e.text, e.label, e.line])).toEqual([
      ["good film", 1, 1],
      ["bad film", 0, 2],
      ["fine", 1, 4],
    ]);
  });
  it("names file:line for a label seen only in validation, an empty text, a bad row, a missing column", async () => {
    const r = await loadDatasets(data({ validation: "dev-bad.jsonl" }), dir, cls);
    expect(r.value).toBeNull();
    expect(r.diagnostics.map((d) => [d.code, d.span.start.line])).toEqual([
      ["ADAPT904", 2],
      ["ADAPT902", 3],
      ["ADAPT903", 4],
      ["ADAPT905", 1],
    ]);
    expect(r.diagnostics.every((d) => d.file?.endsWith("dev-bad.jsonl"))).toBe(true);
    expect(r.diagnostics[2]!.help).toContain("`text`");
  });
  it("reads quoted multi-line CSV fields and keeps integer labels", async () => {
    const r = await loadDatasets(data({ train: "train.csv" }), dir, cls);
    expect(r.diagnostics).toEqual([]);
    expect(r.value!.train[0]).toEqual({ text: 'a "quoted", multi\nline text', pair: null, label: 1, line: 2 });
    expect(r.value!.train[1]!.line).toBe(4);
  });
  it("reports a TSV row with the wrong number of fields", async () => {
    const r = await readSplit(join(dir, "train.tsv"), data({}));
    expect(r.value).toHaveLength(1);
    expect(r.diagnostics.map((d) => [d.code, d.span.start.line])).toEqual([["ADAPT902", 3]]);
  });
  it("parses regression targets and rejects non-numbers", async () => {
    const r = await loadDatasets(data({ train: "reg.tsv", label: "score" }), dir, { kind: "regression", classes: 1 });
    expect(r.diagnostics.map((d) => [d.code, d.span.start.line])).toEqual([["ADAPT906", 3]]);
  });
  it("reports a missing file and more labels than classes", async () => {
    const r = await loadDatasets(data({ train: "nope.jsonl" }), dir, cls);
    expect(r.diagnostics[0]!.code).toBe("ADAPT901");
    expect(labelNamesOf(["0", "1", "1"], 2)).toEqual(["0", "1"]);
    expect(labelNamesOf(["b", "a", "c"], 2)).toEqual(["a", "b", "c"]);
    const three = await loadDatasets(data({ train: "dev-bad.jsonl", text: "label" }), dir, {
      kind: "classifier",
      classes: 1,
    });
    expect(three.diagnostics.some((d) => d.code === "ADAPT907")).toBe(true);
  });
  it("splits CSV records with quotes", () => {
    expect(splitCsv('a,"b,c",d', ",")).toEqual(["a", "b,c", "d"]);
    expect(splitCsv('a,"open', ",")).toBeNull();
  });
});
