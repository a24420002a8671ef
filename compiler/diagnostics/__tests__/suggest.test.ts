import { describe, expect, it } from "vitest";
import { closest, didYouMean, editDistance } from "../suggest.ts";

/** The textbook full-matrix optimal-string-alignment distance, to check the rolling-row one against. */
function reference(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d = Array.from({ length: s.length + 1 }, (_, i) => Array.from({ length: t.length + 1 }, (_, j) => i || j));
  for (let i = 1; i <= s.length; i++)
    for (let j = 1; j <= t.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  return d[s.length]![t.length]!;
}

describe("edit distance and suggestions", () => {
  it("counts edits, a swap of neighbours as one, ignoring case", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("activaton", "activation")).toBe(1);
    expect(editDistance("gelu", "gleu")).toBe(1);
    expect(editDistance("LayerNorm", "layernorm")).toBe(0);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("abc", "")).toBe(3);
  });

  it("agrees with the full-matrix distance on random words, long and short in turn", () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const word = (n: number) =>
      Array.from({ length: Math.floor(next() * n) }, () => "abAB.é"[Math.floor(next() * 6)]).join("");
    for (let k = 0; k < 3000; k++) {
      const [a, b] = k % 100 === 0 ? [word(300), word(300)] : [word(9), word(9)];
      expect(editDistance(a, b)).toBe(reference(a, b));
    }
  });

  it("suggests the nearest candidate within a third of the word's length, and names the closest ones", () => {
    expect(didYouMean("botleneck", ["lora", "bottleneck", "parallel"])).toBe("did you mean `bottleneck`?");
    expect(didYouMean("lo", ["lora", "ia3"])).toBeUndefined();
    expect(closest("encoder.layr.0.output.dense", ["encoder.layer.0.output.dense", "pooler.dense", "x"], 2)).toEqual([
      "encoder.layer.0.output.dense",
      "pooler.dense",
    ]);
  });
});
