import { describe, expect, it } from "vitest";
import { renderAll, renderText, toJson } from "../render.ts";
import { diag } from "../diagnostic.ts";
import { closest, didYouMean, editDistance } from "../suggest.ts";

const source = 'adapter houlsby = bottleneck(size: 64)\ninsert houlsbi after "x"\n';
const span = { start: { line: 2, column: 8, offset: 46 }, end: { line: 2, column: 15, offset: 53 } };
const d = {
  ...diag("ADAPT101", span, "adapter `houlsbi` is not declared", { help: "did you mean `houlsby`?" }),
  file: "spec.adapt",
};

describe("rendering", () => {
  it("renders rustc-style text with a gutter and a caret span", () => {
    expect(renderText(d, source)).toBe(
      [
        "error[ADAPT101]: adapter `houlsbi` is not declared",
        " --> spec.adapt:2:8",
        "  |",
        '2 | insert houlsbi after "x"',
        "  |        ^^^^^^^",
        "  = help: did you mean `houlsby`?",
      ].join("\n"),
    );
  });

  it("counts errors and warnings at the end", () => {
    const w = { ...diag("ADAPT109", span, "adapter `x` is declared but never used"), file: "spec.adapt" };
    const text = renderAll([d, w], new Map([["spec.adapt", source]]));
    expect(text.trimEnd().split("\n").pop()).toBe("1 error, 1 warning found");
    expect(text).toContain("warning[ADAPT109]");
  });

  it("colours only when asked", () => {
    expect(renderText(d, source, { color: true })).toContain("\x1b[");
    expect(renderText(d, source)).not.toContain("\x1b[");
  });

  it("renders the JSON of the contract with 1-based positions", () => {
    expect(toJson([d])).toEqual([
      {
        file: "spec.adapt",
        line: 2,
        column: 8,
        endLine: 2,
        endColumn: 15,
        severity: "error",
        code: "ADAPT101",
        message: "adapter `houlsbi` is not declared",
        help: "did you mean `houlsby`?",
      },
    ]);
  });
});

describe("suggestions", () => {
  it("measures edits with transpositions", () => {
    expect(editDistance("houlsby", "houlsbi")).toBe(1);
    expect(editDistance("aftre", "after")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
  });

  it("suggests only close candidates", () => {
    expect(didYouMean("botleneck", ["bottleneck", "lora"])).toBe("did you mean `bottleneck`?");
    expect(didYouMean("xyz", ["bottleneck", "lora"])).toBeUndefined();
    expect(
      closest("encoder.layer.1.outpt", ["encoder.layer.1.output", "pooler.dense", "encoder.layer.2.output"], 2),
    ).toEqual(["encoder.layer.1.output", "encoder.layer.2.output"]);
  });
});
