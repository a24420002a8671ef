import { Lexer } from "chevrotain";
import { describe, expect, it } from "vitest";
import { lexSpec } from "../../grammar/lexer.ts";
import { allTokens, KEYWORD_GROUPS, KEYWORDS } from "../../grammar/tokens.ts";
import { ADAPTER_KINDS } from "../../compiler/kinds/registry.ts";
import { tokenClass } from "../src/highlight.ts";

/** The highlight class of each significant token of `text`, as the editor assigns them. */
function classes(text: string): [string, string | null][] {
  const { tokens } = lexSpec(text);
  return tokens
    .filter((t) => t.tokenType.name !== "Newline")
    .map((t, i, all) => [t.image, tokenClass(t, all[i - 1], all[i + 1])]);
}

describe("playground highlighting from the token definitions", () => {
  it("gives every keyword of the token table its group's class", () => {
    const lexer = new Lexer(allTokens);
    for (const [group, words] of Object.entries(KEYWORD_GROUPS)) {
      for (const w of words) {
        const [t] = lexer.tokenize(w).tokens;
        expect(tokenClass(t!, undefined), w).toBe(`kw-${group}`);
      }
    }
    expect(KEYWORDS.length).toBeGreaterThan(10);
  });

  it("classes a spec's names, kinds, literals and punctuation", () => {
    const got = classes(
      'adapter a = bottleneck(size: 16)\ninsert a after /encoder\\.layer/ expect 6\ntrain "**.LayerNorm"\n',
    );
    expect(got).toEqual([
      ["adapter", "kw-statement"],
      ["a", "name"],
      ["=", "punct"],
      ["bottleneck", "builtin"],
      ["(", "punct"],
      ["size", "key"],
      [":", "punct"],
      ["16", "number"],
      [")", "punct"],
      ["insert", "kw-statement"],
      ["a", "name"],
      ["after", "kw-position"],
      ["/encoder\\.layer/", "regexp"],
      ["expect", "kw-selector"],
      ["6", "number"],
      ["train", "kw-statement"],
      ['"**.LayerNorm"', "string"],
    ]);
    expect(ADAPTER_KINDS).toContain("bottleneck");
    expect(classes('plan {\ndata train: "t.jsonl"\n}\n').slice(0, 4)).toEqual([
      ["plan", "kw-statement"],
      ["{", "punct"],
      ["data", null],
      ["train", "key"],
    ]);
  });
});
