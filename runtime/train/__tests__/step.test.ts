/**
 * A training step and an evaluation hold no tensor afterwards: the count of live tensors is the same
 * before and after each (besides the optimizer's slots, made once), so nothing piles up over an epoch.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { exactPadding, padBatch } from "../../tokenize/batches.ts";
import { evaluate } from "../evaluate.ts";
import { inputRoles } from "../feed.ts";
import { Optimizer } from "../optimizer.ts";
import { trainableVariables, trainStep, type StepContext } from "../step.ts";
import { tinyModel, tinyPlan, tinySplit } from "./fixtures/tiny-run.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("memory of steps and evaluations", () => {
  it("leaves the number of live tensors unchanged", async () => {
    const model = tinyModel(1);
    const plan = tinyPlan("unused");
    const split = tinySplit(40, 2);
    const vars = trainableVariables(model);
    const optimizer = new Optimizer(plan.optimizer, vars);
    const ctx: StepContext = {
      model,
      roles: inputRoles(model).value!,
      task: { kind: "classifier", classes: 2 },
      probabilities: false,
      vars,
      optimizer,
      clipNorm: 1,
      seed: 7,
    };
    const batch = (k: number) =>
      padBatch(
        split.encoded,
        split.labels,
        [0, 1, 2, 3, 4, 5, 6, 7].map((i) => i + 8 * k),
        exactPadding(0),
      );
    await trainStep(ctx, batch(0), 0.01, 0);
    const afterFirst = tf.memory().numTensors;
    for (let k = 1; k < 4; k++) {
      await trainStep(ctx, batch(k), 0.01, k);
      expect(tf.memory().numTensors).toBe(afterFirst);
    }
    const r = await evaluate(ctx, split, ["accuracy"], 8, exactPadding(0));
    expect(r.predictions).toHaveLength(40);
    expect(tf.memory().numTensors).toBe(afterFirst);
    optimizer.dispose();
    model.dispose();
  });
});
