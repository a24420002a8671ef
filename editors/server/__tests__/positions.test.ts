import { describe, it, expect } from "vitest";
import { fromLspPosition, toLspRange } from "../positions.ts";
import { parseSpec } from "../../../compiler/frontend/parse.ts";

describe("position conversion at the LSP boundary", () => {
  it("turns a 1-based, end-exclusive span into a 0-based LSP range", () => {
    const span = { start: { line: 1, column: 1, offset: 0 }, end: { line: 2, column: 5, offset: 10 } };
    expect(toLspRange(span)).toEqual({ start: { line: 0, character: 0 }, end: { line: 1, character: 4 } });
  });

  it("covers exactly the text of a parsed token", () => {
    const text = "# c\nadapter  houlsby = bottleneck(size: 8)\n";
    const decl = parseSpec(text).value.statements[0]!;
    if (decl.kind !== "AdapterDecl") throw new Error("not a declaration");
    const r = toLspRange(decl.name.span);
    const line = text.split("\n")[r.start.line]!;
    expect(line.slice(r.start.character, r.end.character)).toBe("houlsby");
  });

  it("round-trips LSP positions to compiler positions with offsets", () => {
    const text = "ab\ncdef\n\nxyz";
    expect(fromLspPosition(text, { line: 1, character: 2 })).toEqual({ line: 2, column: 3, offset: 5 });
    expect(text[fromLspPosition(text, { line: 3, character: 1 }).offset]).toBe("y");
    expect(fromLspPosition(text, { line: 0, character: 99 })).toEqual({ line: 1, column: 3, offset: 2 });
    expect(fromLspPosition(text, { line: 9, character: 0 }).offset).toBe(text.length);
  });
});
