import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { MAX_EXPECTED_PREFIX, MAX_LEXING_ERRORS, parseSpec } from "../parse.ts";
import { analyzeText } from "../analyze.ts";
import type * as A from "../../../grammar/ast.ts";

const KITCHEN_SINK = new URL("../../../specs/examples/kitchen-sink.adapt", import.meta.url).pathname;
const kitchen = readFileSync(KITCHEN_SINK, "utf8");

function walk(node: unknown, visit: (n: { kind: string; span: A.Span }) => void): void {
  if (Array.isArray(node)) node.forEach((n) => walk(n, visit));
  else if (node !== null && typeof node === "object") {
    const n = node as { kind?: string; span?: A.Span };
    if (typeof n.kind === "string" && n.span) visit(n as { kind: string; span: A.Span });
    for (const v of Object.values(node)) walk(v, visit);
  }
}

describe("parser", () => {
  it("parses and checks the kitchen sink with no diagnostics", () => {
    const r = analyzeText(kitchen, "kitchen-sink.adapt");
    expect(r.diagnostics).toEqual([]);
    const kinds = new Set(r.value.spec.statements.map((s) => s.kind));
    expect([...kinds].sort()).toEqual(["AdapterDecl", "Apply", "Head", "Insert", "Model", "Plan", "Rule", "Size"]);
  });

  it("covers every construct in the kitchen sink", () => {
    const seen = new Set<string>();
    walk(parseSpec(kitchen).value, (n) => seen.add(n.kind));
    for (const k of ["Regex", "Glob", "Range", "Div", "List", "Call", "Group", "Selector", "PlanEntry", "Comment"])
      expect(seen).toContain(k);
    const s = parseSpec(kitchen).value.statements;
    const positions = s.filter((x): x is A.InsertStmt => x.kind === "Insert").map((x) => x.position);
    expect(new Set(positions)).toEqual(new Set(["after", "before", "parallel"]));
  });

  it("gives every node a 1-based span inside the text", () => {
    const spec = parseSpec(kitchen).value;
    walk(spec, (n) => {
      expect(n.span.start.line).toBeGreaterThanOrEqual(1);
      expect(n.span.start.column).toBeGreaterThanOrEqual(1);
      expect(n.span.end.offset).toBeGreaterThanOrEqual(n.span.start.offset);
      expect(n.span.end.offset).toBeLessThanOrEqual(kitchen.length);
    });
  });

  it("builds the AST the example describes", () => {
    const s = parseSpec(
      "adapter h = bottleneck(size: 64, init: near_identity(std: 0.01))\nsize h = d / 12 in layers 4..11, 13",
    ).value.statements;
    const decl = s[0] as A.AdapterDecl;
    expect(decl.adapterKind.name).toBe("bottleneck");
    expect(decl.args.map((a) => a.key.name)).toEqual(["size", "init"]);
    const init = decl.args[1]!.value as A.Call;
    expect(init.callee.name).toBe("near_identity");
    const size = s[1] as A.SizeStmt;
    expect(size.expr.kind).toBe("Div");
    expect(size.layers!.map((r) => [r.from.value, r.to?.value ?? null])).toEqual([
      [4, 11],
      [13, null],
    ]);
  });

  it("reports three unrelated check errors in one run, each at its place", () => {
    const text = 'adapter h = botleneck(size: 64)\ninsert g after "x"\nsize k = d / 0\n';
    const r = analyzeText(text, "s.adapt");
    expect(r.diagnostics.map((d) => [d.code, d.span.start.line, d.span.start.column])).toEqual([
      ["ADAPT109", 1, 9],
      ["ADAPT103", 1, 13],
      ["ADAPT101", 2, 8],
      ["ADAPT101", 3, 6],
      ["ADAPT203", 3, 14],
    ]);
  });

  it("reports three unrelated syntax errors in one run and stops before the checks", () => {
    const text = 'adapter h = botleneck(size: 64)\ninsert h aftr "x"\ntrain @\nsize h = d /\n';
    const r = analyzeText(text, "s.adapt");
    expect(r.diagnostics.map((d) => [d.code, d.span.start.line, d.span.start.column])).toEqual([
      ["ADAPT004", 2, 10],
      ["ADAPT001", 3, 7],
      ["ADAPT004", 4, 13],
    ]);
    expect(r.value.checked).toBeNull();
  });

  it("reports one error per bad statement and recovers for the next", () => {
    const text = ["insert a after", "adapter = lora()", "size x = [1, 2", "train", "head (", "model 3"].join("\n");
    const r = parseSpec(text);
    expect(r.diagnostics.map((d) => d.span.start.line)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(r.value.statements.every((s) => s.kind === "Invalid")).toBe(true);
  });

  it("reports several bad entries of one plan block", () => {
    const r = parseSpec("plan {\n  epochs\n  batch 8\n  seed 1 :\n}\n");
    expect(r.diagnostics.map((d) => d.span.start.line)).toEqual([2, 4]);
  });

  it("does not report a name declared by a broken declaration as undeclared", () => {
    const r = analyzeText('adapter h = bottleneck(size: 64 64)\ninsert h after "x"\n', "s.adapt");
    expect(r.diagnostics.map((d) => d.code)).toEqual(["ADAPT004"]);
  });

  it("lists what was expected only after a statement prefix of at most MAX_EXPECTED_PREFIX tokens", () => {
    const list = (n: number) => `adapter a = lora(rank: [${"1,".repeat(n)}])\n`;
    const short = parseSpec(list(10)).diagnostics;
    expect(short.map((d) => [d.code, d.message])).toEqual([
      ["ADAPT004", "expected a number, a string, `[` or a name, found `]`"],
    ]);
    const long = parseSpec(list(MAX_EXPECTED_PREFIX)).diagnostics;
    expect(long.map((d) => [d.code, d.message, d.span.start.column])).toEqual([
      ["ADAPT004", "unexpected `]`", 25 + 2 * MAX_EXPECTED_PREFIX],
    ]);
  });

  it("lists at most MAX_LEXING_ERRORS stray characters, the last one counting the rest", () => {
    const r = parseSpec(`adapter a = lora(rank: ${"1+".repeat(MAX_LEXING_ERRORS + 50)}1)\n`);
    expect(r.diagnostics).toHaveLength(MAX_LEXING_ERRORS);
    expect(r.diagnostics.every((d) => d.code === "ADAPT001")).toBe(true);
    expect(r.diagnostics[0]!.message).toBe("unexpected character `+`");
    expect(r.diagnostics.at(-1)!.message).toBe(
      "unexpected character `+`; 50 more places with unexpected characters follow, not listed",
    );
    expect(r.value.statements.map((s) => s.kind)).toEqual(["Invalid"]);
  });

  it("resolves string escapes", () => {
    const s = parseSpec('model "a\\"b\\\\c"').value.statements[0] as A.ModelStmt;
    expect(s.path.value).toBe('a"b\\c');
  });
});
