import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadTokenizer, truncatePair } from "../tokenizer.ts";
import { evaluationOrder, exactPadding, padBatch, paddedLength, trainingOrder } from "../batches.ts";
import { mulberry32 } from "../../train/prng.ts";

const tok = loadTokenizer(join(import.meta.dirname, "fixtures", "tokenizer.json")).value!;

describe("tokenizer", () => {
  it("encodes WordPiece with lower-casing, sub-words, unknowns and special tokens", () => {
    expect([...tok.encode("The movie was UNBELIEVABLE!", null, 32).ids]).toEqual([2, 4, 5, 6, 8, 9, 10, 11, 3]);
    expect([...tok.encode("the café", null, 32).ids]).toEqual([2, 4, 1, 3]);
    expect(tok.padId).toBe(0);
  });
  it("truncates to max_length keeping [CLS] and [SEP]", () => {
    const e = tok.encode("the movie was great good bad plot", null, 5);
    expect([...e.ids]).toEqual([2, 4, 5, 6, 3]);
  });
  it("encodes pairs with token types and longest-first truncation", () => {
    const e = tok.encode("the movie was great", "bad plot", 7);
    expect([...e.ids]).toEqual([2, 4, 5, 3, 14, 15, 3]);
    expect([...e.typeIds]).toEqual([0, 0, 0, 0, 1, 1, 1]);
    const a = [1, 2, 3, 4, 5],
      b = [6, 7];
    truncatePair(a, b, 4);
    expect([a, b]).toEqual([
      [1, 2],
      [6, 7],
    ]);
  });
  it("reports an unreadable tokenizer as ADAPT910", () => {
    const r = loadTokenizer("/nonexistent/tokenizer.json");
    expect(r.value).toBeNull();
    expect(r.diagnostics[0]?.code).toBe("ADAPT910");
  });
});

describe("batches", () => {
  const encoded = [5, 2, 9, 3].map((n) => ({
    ids: Int32Array.from({ length: n }, (_, i) => i + 1),
    typeIds: new Int32Array(n),
  }));
  it("pads each batch to its own longest example with a mask", () => {
    const b = padBatch(encoded, [0, 1, 0, 1], [1, 3], exactPadding(0));
    expect(b.length).toBe(3);
    expect([...b.ids]).toEqual([1, 2, 0, 1, 2, 3]);
    expect([...b.mask]).toEqual([1, 1, 0, 1, 1, 1]);
    expect([...b.labels]).toEqual([1, 1]);
  });
  it("rounds the padded length up to a multiple, never past the maximum nor below the longest", () => {
    const p = { id: 7, multiple: 4, max: 10 };
    expect([1, 3, 4, 5, 8, 9, 10].map((n) => paddedLength(n, p))).toEqual([4, 4, 4, 8, 8, 10, 10]);
    expect(paddedLength(12, p)).toBe(12);
    expect(paddedLength(0, exactPadding(0))).toBe(1);
    const b = padBatch(encoded, [0, 1, 0, 1], [1, 3], p);
    expect(b.length).toBe(4);
    expect([...b.ids]).toEqual([1, 2, 7, 7, 1, 2, 3, 7]);
    expect([...b.mask]).toEqual([1, 1, 0, 0, 1, 1, 1, 0]);
  });
  it("buckets by length and covers every example once, in a seeded order", () => {
    const lengths = Array.from({ length: 100 }, (_, i) => (i * 37) % 50);
    const order = trainingOrder(lengths, 10, mulberry32(3));
    expect(order.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
    for (const batch of order) {
      const ls = batch.map((i) => lengths[i]!);
      expect(Math.max(...ls) - Math.min(...ls)).toBeLessThan(10);
    }
    expect(trainingOrder(lengths, 10, mulberry32(3))).toEqual(order);
    expect(trainingOrder(lengths, 10, mulberry32(4))).not.toEqual(order);
    expect(evaluationOrder([3, 1, 2], 2)).toEqual([[1, 2], [0]]);
  });
});
