import { describe, expect, it } from "vitest";
import { stat, summarize, summaryTable, type ResultLine } from "../summary.ts";

const params = { base: 1000, added: 10, head: 2, trainable: 12, trainablePercent: 1.2 };

function line(id: string, config: string, variant: string, seed: number, acc: number, test = acc): ResultLine {
  return {
    id,
    config,
    variant,
    series: variant.split(".")[0]!,
    member: variant.split(".")[1] ?? null,
    axes: { "optimizer.lr": 0.1, seed },
    seed,
    stage: 1,
    params,
    validation: { accuracy: acc, loss: 1 - acc },
    test: { accuracy: test },
    testSelected: false,
    epochs: 1,
    steps: 4,
    seconds: 2,
    backend: "cpu",
    dir: `points/${id}`,
  };
}

describe("sweep summary", () => {
  it("gives the mean and the sample standard deviation (0 for one value)", () => {
    expect(stat([1, 2, 3])).toEqual({ mean: 2, std: 1, n: 3 });
    expect(stat([0.5])).toEqual({ mean: 0.5, std: 0, n: 1 });
  });

  it("ranks configurations by validation mean, selects one per variant and one overall, ties by point order", () => {
    const results = [
      line("a~lr=1~seed=1", "a~lr=1", "a", 1, 0.5),
      line("a~lr=1~seed=2", "a~lr=1", "a", 2, 0.7),
      line("a~lr=2~seed=1", "a~lr=2", "a", 1, 0.9),
      line("b.x~seed=1", "b.x", "b.x", 1, 0.7),
      line("b.y~seed=1", "b.y", "b.y", 1, 0.7),
    ];
    const order = ["a~lr=1~seed=1", "a~lr=1~seed=2", "a~lr=2~seed=1", "b.y~seed=1", "b.x~seed=1"];
    const s = summarize(results, { split: "validation", metric: "accuracy", direction: "max" }, order);
    expect(s.configs.map((c) => [c.config, c.rank, c.selected, c.selectedInVariant])).toEqual([
      ["a~lr=2", 1, true, true],
      ["b.y", 2, false, true],
      ["b.x", 3, false, true],
      ["a~lr=1", 4, false, false],
    ]);
    expect(s.selected).toBe("a~lr=2");
    const a1 = s.configs.find((c) => c.config === "a~lr=1")!;
    expect(a1.seeds).toEqual([1, 2]);
    expect(a1.validation["accuracy"]!.mean).toBeCloseTo(0.6);
    expect(a1.validation["accuracy"]!.std).toBeCloseTo(Math.SQRT2 / 10);
    expect(a1.axes).toEqual({ "optimizer.lr": 0.1 });
    const byLoss = summarize(results, { split: "validation", metric: "loss", direction: "min" }, order);
    expect(byLoss.selected).toBe("a~lr=2");
    const table = summaryTable(s);
    expect(table).toContain("| 1 * | `a~lr=2` | 0.9000 | 0.9000 | 1 | 12 | 1.200 | 2.0 |");
    expect(table).toContain("| 4 | `a~lr=1` | 0.6000 ± 0.1414 |  | 2 |");
  });
});
