import { describe, expect, it } from "vitest";
import { backendCannotTrain } from "../commands/run-support.ts";
import type { CompiledPlan, WeightTrainability } from "../../compiler/ir/types.ts";

function planWith(weights: Partial<WeightTrainability>[]): CompiledPlan {
  return {
    weights: weights.map((w) => ({
      owner: "base",
      layer: "",
      shape: [4, 2],
      params: 8,
      rule: null,
      trainable: false,
      name: "",
      ...w,
    })),
  } as unknown as CompiledPlan;
}

describe("backends that cannot train a plan", () => {
  const trainsEmbeddings = planWith([
    { name: "embeddings.word_embeddings/embeddings", trainable: true },
    { name: "x/kernel", trainable: true },
  ]);

  it("refuses trainable embedding tables on wasm with ADAPT944 naming them", () => {
    const d = backendCannotTrain(trainsEmbeddings, "wasm", "spec.adapt");
    expect(d.map((x) => x.code)).toEqual(["ADAPT944"]);
    expect(d[0]!.message).toContain("`embeddings.word_embeddings/embeddings`");
    expect(d[0]!.help).toContain("freeze");
  });

  it("accepts them on other backends and frozen ones on wasm", () => {
    expect(backendCannotTrain(trainsEmbeddings, "cpu", "spec.adapt")).toEqual([]);
    expect(
      backendCannotTrain(planWith([{ name: "embeddings.word_embeddings/embeddings", trainable: false }]), "wasm", "s"),
    ).toEqual([]);
  });
});
