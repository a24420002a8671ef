import { describe, expect, it } from "vitest";
import { analyzeText } from "../../frontend/analyze.ts";

function codes(text: string): string[] {
  return analyzeText(text, "x.adapt").diagnostics.map((d) => `${d.code} ${d.span.start.line}:${d.span.start.column}`);
}

describe("the compositions rule", () => {
  it("accepts use, stack, fuse and named rules over known names", () => {
    const r = analyzeText(
      'use "a" as a\nuse "b" as b\nadapter t = bottleneck(size: 2)\ninsert t after "x"\nstack a, t\nfuse a, b as mix\ntrain mix\nfreeze t\n',
      "x.adapt",
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.value.checked!.uses.map((u) => u.name.name)).toEqual(["a", "b"]);
    expect(r.value.checked!.stacks.length).toBe(1);
    expect(r.value.checked!.fuses.map((f) => f.name.name)).toEqual(["mix"]);
    expect(r.value.checked!.rules.length).toBe(2);
  });

  it("reports names already in use, unknown members with a suggestion, and repeated members", () => {
    expect(codes('use "a" as a\nuse "b" as a\n')).toEqual(["ADAPT140 2:12"]);
    expect(codes('use "a" as alpha\nuse "b" as b\nfuse alpah, b as a\n')).toEqual(["ADAPT141 3:6"]);
    const help = analyzeText('use "a" as alpha\nuse "b" as b\nstack alpah, b\n', "x.adapt").diagnostics[0]!.help;
    expect(help).toContain("alpha");
    expect(codes('use "a" as a\nstack a\n')).toEqual(["ADAPT142 2:1"]);
    expect(codes('use "a" as a\nuse "b" as b\nuse "c" as c\nstack a, b\nstack b, c\n')).toEqual(["ADAPT144 5:7"]);
    expect(codes('use "a" as a\ntrain aa\n')).toEqual(["ADAPT141 2:7"]);
  });

  it("keeps `all`, `adapters` and `head` as rule groups", () => {
    const r = analyzeText("train all\nfreeze adapters\ntrain head\n", "x.adapt");
    expect(r.value.checked!.rules.map((x) => x.target.kind)).toEqual(["Group", "Group", "Group"]);
  });
});
