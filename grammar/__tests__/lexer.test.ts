import { describe, expect, it } from "vitest";
import { lexSpec, splitStatements } from "../lexer.ts";
import { Keyword, RegexLiteral, Slash, NumberLiteral, DotDot, Identifier, Newline } from "../tokens.ts";

const types = (text: string) => lexSpec(text).tokens.map((t) => t.tokenType.name);

describe("lexer", () => {
  it("lexes 0..2 as a range of two integers, not a decimal", () => {
    const t = lexSpec("0..2").tokens;
    expect(t.map((x) => x.tokenType)).toEqual([NumberLiteral, DotDot, NumberLiteral]);
    expect(t.map((x) => x.image)).toEqual(["0", "..", "2"]);
  });

  it("reads numbers with exponents and decimals", () => {
    expect(lexSpec("3e-4 0.25 1E+3 12").tokens.map((t) => t.image)).toEqual(["3e-4", "0.25", "1E+3", "12"]);
  });

  it("starts a regex only after a selector keyword", () => {
    expect(lexSpec("train /a.b/").tokens[1]!.tokenType).toBe(RegexLiteral);
    expect(lexSpec("insert h after /x/i").tokens[3]!.tokenType).toBe(RegexLiteral);
    const div = lexSpec("size h = d / 12").tokens;
    expect(div.map((t) => t.tokenType)).toContain(Slash);
    expect(div.map((t) => t.tokenType)).not.toContain(RegexLiteral);
  });

  it("treats keywords as names where a name is expected", () => {
    const t = lexSpec("adapter size = bottleneck(size: 4)").tokens;
    expect(t[1]!.tokenType).toBe(Keyword.size);
    expect(t[1]!.tokenType.CATEGORIES).toContain(Identifier);
    expect(lexSpec("adapters adapter").tokens.map((x) => x.tokenType)).toEqual([Keyword.adapters, Keyword.adapter]);
    expect(lexSpec("models").tokens[0]!.tokenType).toBe(Identifier);
  });

  it("drops newlines inside ( ) and [ ] but keeps them in { }", () => {
    expect(types("f(a: 1,\n b: 2)\nx")).toEqual([
      "Identifier",
      "LParen",
      "Identifier",
      "Colon",
      "NumberLiteral",
      "Comma",
      "Identifier",
      "Colon",
      "NumberLiteral",
      "RParen",
      "Newline",
      "Identifier",
    ]);
    expect(types("plan {\n epochs 3\n}").filter((n) => n === "Newline")).toHaveLength(2);
  });

  it("closes a bracket left open when the next line starts a statement in column 1", () => {
    const chunks = splitStatements(lexSpec('head classifier(classes: 2\ninsert h after "x"\n').tokens);
    expect(chunks).toHaveLength(2);
    expect(chunks[1]![0]!.tokenType).toBe(Keyword.insert);
  });

  it("keeps comments aside and collapses blank lines", () => {
    const r = lexSpec('# a\n\n\nmodel "m" # b\n');
    expect(r.comments.map((c) => c.image)).toEqual(["# a", "# b"]);
    expect(r.tokens.filter((t) => t.tokenType === Newline)).toHaveLength(1);
  });

  it("splits statements at newlines outside braces", () => {
    const chunks = splitStatements(lexSpec('model "m"\nplan {\n epochs 3\n}\ntrain all').tokens);
    expect(chunks.map((c) => c[0]!.image)).toEqual(["model", "plan", "train"]);
  });

  it("reports characters that start no token with their position", () => {
    const r = lexSpec('model $ "m"');
    expect(r.errors).toHaveLength(1);
    expect([r.errors[0]!.line, r.errors[0]!.column]).toEqual([1, 7]);
  });
});
