import { describe, expect, it } from "vitest";
import type * as A from "../../../grammar/ast.ts";
import { parseSpec } from "../../frontend/parse.ts";
import { globToRegExp } from "../glob.ts";
import { matchSelector } from "../selector.ts";
import { fixtureManifest } from "../../__tests__/helpers.ts";

const bert = fixtureManifest("tiny-bert");

/** The selector of `insert x after SELECTOR`. */
function selector(text: string): A.Selector {
  const stmt = parseSpec(`insert x after ${text}\n`).value.statements[0]!;
  if (stmt.kind !== "Insert") throw new Error(`not an insert: ${text}`);
  return stmt.selector;
}

function paths(text: string, opts = {}): string[] {
  const r = matchSelector(selector(text), bert, opts);
  return [...r.value.layers.map((l) => l.path), ...r.value.weights.map((w) => w.name)];
}

describe("globs", () => {
  it("`*` is one segment, `**` any number of segments, `{a,b}` alternatives", () => {
    expect(globToRegExp("a.*.c").test("a.b.c")).toBe(true);
    expect(globToRegExp("a.*.c").test("a.b.x.c")).toBe(false);
    expect(globToRegExp("a.**.c").test("a.b.x.c")).toBe(true);
    expect(globToRegExp("a.**.c").test("a.c")).toBe(true);
    expect(globToRegExp("**.c").test("c")).toBe(true);
    expect(globToRegExp("a.**").test("a.b.c")).toBe(true);
    expect(globToRegExp("a.**").test("ab.c")).toBe(false);
    expect(globToRegExp("x.{q,v}").test("x.v")).toBe(true);
    expect(globToRegExp("x.{q,v}").test("x.k")).toBe(false);
    expect(globToRegExp("a+b(c)").test("a+b(c)")).toBe(true);
  });

  it("match layer paths of the encoder in model order", () => {
    expect(paths('"encoder.layer.*.attention.output.dense"')).toHaveLength(12);
    expect(paths('"encoder.layer.1.attention.self.{query,value}"')).toEqual([
      "encoder.layer.1.attention.self.query",
      "encoder.layer.1.attention.self.value",
    ]);
    expect(paths('"**.LayerNorm"')).toHaveLength(25);
    expect(paths('"pooler.dense"')).toEqual(["pooler.dense"]);
  });

  it("regexes match whole paths", () => {
    expect(paths("/encoder\\.layer\\.1[01]\\.output\\.dense/")).toEqual([
      "encoder.layer.10.output.dense",
      "encoder.layer.11.output.dense",
    ]);
    expect(paths("/output\\.dense/")).toEqual([]);
  });
});

describe("clauses", () => {
  it("`in layers` keeps paths whose first integer segment is in the ranges", () => {
    expect(paths('"encoder.layer.*.output.dense" in layers 0..1, 10').map((p) => p.split(".")[2])).toEqual([
      "0",
      "1",
      "10",
    ]);
    expect(paths('"**.LayerNorm" in layers 11')).toEqual([
      "encoder.layer.11.attention.output.LayerNorm",
      "encoder.layer.11.output.LayerNorm",
    ]);
  });

  it("`in layers` on paths without a layer number is ADAPT122", () => {
    const r = matchSelector(selector('"pooler.dense" in layers 0..2'), bert);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["ADAPT122"]);
  });

  it("`where type =` filters by class; an absent class is ADAPT124 with a suggestion", () => {
    expect(paths('"encoder.layer.0.**" where type = LayerNormalization')).toHaveLength(2);
    const r = matchSelector(selector('"**" where type = LayerNormalisation'), bert);
    expect(r.diagnostics[0]!.code).toBe("ADAPT124");
    expect(r.diagnostics[0]!.help).toBe("did you mean `LayerNormalization`?");
  });

  it("`expect N` mismatches are ADAPT121 listing what matched", () => {
    expect(matchSelector(selector('"encoder.layer.*.output.dense" expect 12'), bert).diagnostics).toEqual([]);
    const r = matchSelector(selector('"encoder.layer.1*.output.dense" expect 12'), bert);
    expect(r.diagnostics[0]!.code).toBe("ADAPT121");
    expect(r.diagnostics[0]!.message).toBe("expected 12 matches, but `encoder.layer.1*.output.dense` matches 3");
    expect(r.diagnostics[0]!.notes![0]).toContain("`encoder.layer.10.output.dense`");
  });

  it("zero matches is ADAPT120 naming the three closest paths", () => {
    const r = matchSelector(selector('"encoder.layer.3.attention.output.dens"'), bert);
    expect(r.diagnostics).toHaveLength(1);
    const d = r.diagnostics[0]!;
    expect(d.code).toBe("ADAPT120");
    expect(d.notes!.at(-1)).toMatch(
      /^the closest paths are `encoder\.layer\.3\.attention\.output\.dense`, `[^`]+`, `[^`]+`$/,
    );
  });

  it("weight names are selectable for rules only", () => {
    expect(paths('"**.LayerNorm/gamma" in layers 2')).toEqual([]);
    expect(paths('"**.LayerNorm/gamma" in layers 2', { weights: true })).toEqual([
      "encoder.layer.2.attention.output.LayerNorm/gamma",
      "encoder.layer.2.output.LayerNorm/gamma",
    ]);
  });
});
