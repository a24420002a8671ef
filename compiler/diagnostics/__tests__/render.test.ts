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

describe("rendering places", () => {
  const text = 'adapter h = bottleneck(size: 8)\ninsert h after "a"\n\nadapter h = lora(rank: 4)\n';
  const at = (line: number, column: number, endColumn: number, offset: number) => ({
    start: { line, column, offset },
    end: { line, column: endColumn, offset: offset + endColumn - column },
  });

  it("shows secondary labelled spans with `-` under them, in line order", () => {
    const twice = {
      ...diag("ADAPT102", at(4, 9, 10, 59), "adapter `h` is declared twice", {
        labels: [{ span: at(1, 9, 10, 8), message: "first declared here" }],
      }),
      file: "s.adapt",
    };
    expect(renderText(twice, text)).toBe(
      [
        "error[ADAPT102]: adapter `h` is declared twice",
        " --> s.adapt:4:9",
        "  |",
        "1 | adapter h = bottleneck(size: 8)",
        "  |         - first declared here",
        "...",
        "4 | adapter h = lora(rank: 4)",
        "  |         ^",
      ].join("\n"),
    );
    expect(toJson([twice])[0]!.labels).toEqual([
      { line: 1, column: 9, endLine: 1, endColumn: 10, message: "first declared here" },
    ]);
  });

  it("names the file, with no line and no caret, for a diagnostic about a file rather than a place in it", () => {
    const start = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };
    const file = { ...diag("ADAPT126", start, "the model file `m.json` is malformed: not JSON"), file: "m.json" };
    expect(renderAll([file], new Map([["m.json", "{\n"]]))).toBe(
      "error[ADAPT126]: the model file `m.json` is malformed: not JSON\n --> m.json\n\n1 error found\n",
    );
  });

  it("shows at most `limit` diagnostics and counts the rest", () => {
    const many = Array.from({ length: 5 }, () => d);
    const out = renderAll(many, new Map([["spec.adapt", source]]), { limit: 2 });
    expect(out.match(/^error\[ADAPT101\]/gm)).toHaveLength(2);
    expect(out).toContain("... and 3 more diagnostics not shown");
    expect(out.trimEnd().endsWith("5 errors found")).toBe(true);
  });

  it("renders 60,000 diagnostics of one large file by splitting it once (the split count is linear)", () => {
    const big = `${"x\n".repeat(60_000)}`;
    const ds = Array.from({ length: 60_000 }, (_, i) => ({
      ...diag("ADAPT101", at(i + 1, 1, 2, i * 2), "adapter `x` is not declared"),
      file: "big.adapt",
    }));
    let splits = 0;
    const original = String.prototype.split;
    String.prototype.split = function (this: string, ...args: Parameters<typeof original>) {
      if (this.length === big.length) splits++;
      return original.apply(this, args);
    } as typeof original;
    try {
      renderAll(ds, new Map([["big.adapt", big]]), { limit: 60_000 });
    } finally {
      String.prototype.split = original;
    }
    expect(splits).toBe(1);
  });
});
