import { describe, expect, it } from "vitest";
import { accuracy, computeMetrics, f1, mcc, pearson, ranks, spearman } from "../metrics.ts";
import { learningRate, warmupSteps } from "../schedule.ts";

describe("metrics", () => {
  const gold = [1, 1, 1, 0, 0, 0, 1, 0];
  const pred = [1, 1, 0, 0, 0, 1, 1, 0];
  it("accuracy, binary F1 and MCC match hand-computed values", () => {
    expect(accuracy(pred, gold)).toBe(0.75);
    // tp=3 fp=1 fn=1 tn=3: F1 = 6/8, MCC = (9-1)/sqrt(4*4*4*4) = 0.5
    expect(f1(pred, gold, 2)).toBeCloseTo(0.75, 12);
    expect(mcc(pred, gold, 2)).toBeCloseTo(0.5, 12);
    expect(mcc([0, 0, 0], [0, 1, 0], 2)).toBe(0);
  });
  it("macro F1 for three classes", () => {
    // class 0: f1 1; class 1: tp1 fp1 fn0 -> 2/3; class 2: tp0 fn1 -> 0
    expect(f1([0, 1, 1], [0, 1, 2], 3)).toBeCloseTo((1 + 2 / 3 + 0) / 3, 12);
  });
  it("Pearson and Spearman with ties", () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(ranks([10, 20, 20, 5])).toEqual([2, 3.5, 3.5, 1]);
    expect(spearman([1, 2, 3, 4], [1, 4, 9, 16])).toBeCloseTo(1, 12);
    expect(pearson([1, 1], [1, 2])).toBe(0);
    expect(Object.keys(computeMetrics(["accuracy", "mcc"], pred, gold, 2))).toEqual(["accuracy", "mcc"]);
  });
});

describe("schedules", () => {
  it("linear warmup then linear decay to zero", () => {
    const s = { kind: "linear", warmup: 0.1 } as const;
    expect(warmupSteps(0.1, 100)).toBe(10);
    expect(warmupSteps(5, 100)).toBe(5);
    expect(learningRate(s, 1, 0, 100)).toBeCloseTo(0.1);
    expect(learningRate(s, 1, 9, 100)).toBeCloseTo(1);
    expect(learningRate(s, 1, 10, 100)).toBeCloseTo(1);
    expect(learningRate(s, 1, 55, 100)).toBeCloseTo(0.5);
    expect(learningRate(s, 1, 99, 100)).toBeCloseTo(1 / 90);
  });
  it("constant stays after warmup", () => {
    expect(learningRate({ kind: "constant", warmup: 0 }, 0.3, 50, 100)).toBe(0.3);
  });
});
