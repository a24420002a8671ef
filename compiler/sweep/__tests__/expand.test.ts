import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { compileText, type ModelLoader } from "../../compile.ts";
import { parseSpec } from "../../frontend/parse.ts";
import { formatText } from "../../format/format.ts";
import { analyzeSweepText, compileSweepText, isSweepText, planHash } from "../compile-sweep.ts";
import { expandSweep, withSeed } from "../expand.ts";

const FIXTURES = new URL("../../__tests__/fixtures/tiny-bert/", import.meta.url).pathname;
const loader: ModelLoader = (path) => ({ ok: true, json: readFileSync(resolve(FIXTURES, path), "utf8") });

const HEAD = `model "model.json"
adapter h = bottleneck(size: 4, init: zeros)
head classifier(classes: 2, pool: mean, dropout: 0.1)
`;
const PLAN = (lines: string) => `plan {
  data      train: "train.jsonl", validation: "dev.jsonl"
  optimizer adamw(lr: 0.1 | 0.01)
  epochs    1
  batch     8
${lines}  output    "out"
}
`;
const VARIANTS = `variant adapters.m4 {
  insert h after "encoder.layer.*.output.dense"
  train "**.LayerNorm"
}
variant adapters.m8 extends adapters.m4 {
  size h = 8
}
variant top.n1 {
  train "encoder.layer.*.**" in layers 1
  plan {
    optimizer adamw(lr: 0.001, weight_decay: 0.01)
  }
}
`;

function expand(text: string) {
  const r = expandSweep(parseSpec(text).value, text);
  return { ...r.value, diagnostics: r.diagnostics };
}

describe("sweep expansion", () => {
  it("makes one point per combination, variant by variant, seed fastest, with stable ids and axis names", () => {
    const e = expand(HEAD + PLAN("  seed      1 | 2\n") + VARIANTS);
    expect(e.diagnostics).toEqual([]);
    expect(e.points.map((p) => p.id)).toEqual([
      "adapters.m4~lr=0.1~seed=1",
      "adapters.m4~lr=0.1~seed=2",
      "adapters.m4~lr=0.01~seed=1",
      "adapters.m4~lr=0.01~seed=2",
      "adapters.m8~lr=0.1~seed=1",
      "adapters.m8~lr=0.1~seed=2",
      "adapters.m8~lr=0.01~seed=1",
      "adapters.m8~lr=0.01~seed=2",
      "top.n1~seed=1",
      "top.n1~seed=2",
    ]);
    const p = e.points[6]!;
    expect(p).toMatchObject({
      config: "adapters.m8~lr=0.01",
      variant: "adapters.m8",
      series: "adapters",
      member: "m8",
      seed: 1,
      stage: 1,
    });
    expect(p.axes).toEqual({ "optimizer.lr": 0.01, seed: 1 });
    expect(e.points[8]!).toMatchObject({ series: "top", member: "n1", seed: 1 });
  });

  it("writes each point as a single-run spec: the variant's statements last, its plan entries in place, output moved", () => {
    const e = expand(HEAD + PLAN("") + VARIANTS);
    const m8 = e.points.find((p) => p.id === "adapters.m8~lr=0.1")!;
    expect(m8.text).toContain('insert h after "encoder.layer.*.output.dense"\ntrain "**.LayerNorm"\nsize h = 8\n');
    expect(m8.text).toContain("optimizer adamw(lr: 0.1)");
    expect(m8.text).toContain('output    "out/points/adapters.m8~lr=0.1"');
    const top = e.points.find((p) => p.variant === "top.n1")!;
    expect(top.text).toContain("optimizer adamw(lr: 0.001, weight_decay: 0.01)");
    expect(isSweepText(m8.text)).toBe(false);
  });

  it("runs `for best` seeds in stage 2 only, and names size axes after their statement", () => {
    const text = `${HEAD}insert h after "encoder.layer.*.output.dense"\nsize h = 2 | d / 4 in layers 0..1\n${PLAN("  seed      1 | 2 | 3 for best\n")}`;
    const e = expand(text);
    expect(e.points.map((p) => p.id)).toEqual([
      "default~size.0-1=2~lr=0.1~seed=1",
      "default~size.0-1=2~lr=0.01~seed=1",
      "default~size.0-1=d_4~lr=0.1~seed=1",
      "default~size.0-1=d_4~lr=0.01~seed=1",
    ]);
    expect(e.stage2Seeds).toEqual([2, 3]);
    expect(e.points[0]!.text).toMatch(/seed {6}1\n/);
    const extra = withSeed(text, e, e.points[2]!, 2);
    expect(extra).toMatchObject({
      id: "default~size.0-1=d_4~lr=0.1~seed=3",
      config: "default~size.0-1=d_4~lr=0.1",
      stage: 2,
      seed: 3,
    });
    expect(Object.keys(e.points[0]!.axes)).toEqual(["size h in layers 0..1", "optimizer.lr", "seed"]);
  });

  it("reports misplaced alternatives and `for best`, duplicate alternatives and variant errors", () => {
    const codes = (t: string) =>
      expand(t).diagnostics.map((d) => `${d.code} ${d.span.start.line}:${d.span.start.column}`);
    expect(codes(`${HEAD}plan {\n  select best by validation.accuracy | validation.f1\n}\n`)).toEqual([
      "ADAPT007 5:18",
    ]);
    expect(codes(`${HEAD}plan {\n  seed 1 for best\n}\n`)).toEqual(["ADAPT009 5:10"]);
    expect(codes(`${HEAD}plan {\n  epochs 1 | 1\n}\n`)).toEqual(["ADAPT324 5:14"]);
    expect(codes(`${HEAD}variant a extends b {\n}\n`)).toEqual(["ADAPT321 4:19"]);
  });
});

describe("compiling a sweep", () => {
  it("checks every point before training: a bad value in one point is reported once, at its alternative", async () => {
    const text = `${HEAD}insert h after "encoder.layer.*.output.dense"\nsize h = 2 | 4 | d / 3\n${PLAN("  seed      1 | 2\n")}`;
    const r = await compileSweepText(text, "s.adapt", { loader, purpose: "run" });
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => `${d.code} ${d.span.start.line}:${d.span.start.column}-${d.span.end.column}`)).toEqual([
      "ADAPT210 5:18-23",
    ]);
    expect(errors[0]!.notes).toEqual([
      "in 4 of 12 points: `default~size=d_3~lr=0.1~seed=1`, `default~size=d_3~lr=0.1~seed=2`, `default~size=d_3~lr=0.01~seed=1`, ...",
    ]);
    expect(r.value.points).toEqual([]);
    expect(analyzeSweepText(text, "s.adapt", null, "").filter((d) => d.severity === "error")).toEqual([]);
  });

  it("compiles each point to the plan its single-run spec gives, with trainable parameters per variant", async () => {
    const r = await compileSweepText(HEAD + PLAN("") + VARIANTS, "s.adapt", { loader, purpose: "run" });
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const byId = new Map(r.value.points.map((p) => [p.source.id, p]));
    const m4 = byId.get("adapters.m4~lr=0.1")!;
    const alone = await compileText(m4.source.text, "s.adapt", { loader, purpose: "run" });
    expect(planHash(alone.value.plan!)).toBe(m4.planHash);
    expect(m4.plan.plan!.output).toBe("out/points/adapters.m4~lr=0.1");
    expect(byId.get("adapters.m8~lr=0.1")!.plan.totals.added).toBeGreaterThan(m4.plan.totals.added);
    expect(byId.get("top.n1")!.plan.totals.added).toBe(0);
    expect(byId.get("adapters.m4~lr=0.1")!.planHash).not.toBe(byId.get("adapters.m4~lr=0.01")!.planHash);
  });

  it("refuses an `--only` that keeps no point (ADAPT320)", async () => {
    const r = await compileSweepText(HEAD + PLAN("") + VARIANTS, "s.adapt", { loader, only: ["full*"] });
    expect(r.diagnostics.map((d) => d.code)).toEqual(["ADAPT320"]);
    const some = await compileSweepText(HEAD + PLAN("") + VARIANTS, "s.adapt", { loader, only: ["adapters.*"] });
    expect(some.value.points.map((p) => p.source.variant)).toEqual([
      "adapters.m4",
      "adapters.m4",
      "adapters.m8",
      "adapters.m8",
    ]);
  });
});

describe("formatting a sweep", () => {
  it("keeps alternatives, variants and their comments, and is idempotent", () => {
    const messy = `${HEAD}plan {\n  epochs 1|2   # two\n  seed 1 |2|3 for best\n}\n\n\nvariant  a.b   extends c {\n   # inside\n  size h=8|d/2\n  train all\n}\nvariant c {\n}\n`;
    const once = formatText(messy).value!;
    expect(once).toContain("  epochs 1 | 2 # two\n  seed   1 | 2 | 3 for best\n");
    expect(once).toContain("variant a.b extends c {\n  # inside\n  size h = 8 | d / 2\n  train all\n}\n");
    expect(once).toContain("variant c {\n}\n");
    expect(formatText(once).value).toBe(once);
  });
});
