import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { compileText } from "../../../compiler/compile.ts";
import type { CompiledPlan } from "../../../compiler/ir/types.ts";
import { loadLayersModelFile } from "../../io/file-io.ts";
import { applySurgery } from "../../surgery/apply.ts";
import { attachHead } from "../head.ts";
import { parallelModel } from "../parallel.ts";
import { readFileSync } from "node:fs";

const FIXTURE = join(import.meta.dirname, "../../../compiler/__tests__/fixtures/tiny-bert/model.json");

beforeAll(async () => {
  await tf.setBackend("cpu");
});

async function taskModel(base: tf.LayersModel, placement: string, seed: number) {
  const text = `model "m.json"\nadapter a = bottleneck(size: 2, init: near_identity(std: 0.5))\n${placement}\ntrain "**.LayerNorm" in layers 11\nhead classifier(classes: 3)\n`;
  const r = await compileText(text, "t.adapt", { loader: () => ({ ok: true, json: readFileSync(FIXTURE, "utf8") }) });
  const plan = r.value.plan as CompiledPlan;
  const adapted = applySurgery(base, plan, { seed }).value!;
  return { model: attachHead(adapted, plan.head!, seed), plan };
}

describe("parallelModel", () => {
  it("computes the unadapted lower layers once and gives each task exactly its own model's output", async () => {
    const base = await loadLayersModelFile(FIXTURE);
    const tasks = [
      await taskModel(base, 'insert a after "encoder.layer.*.output.dense" in layers 6..11', 1),
      await taskModel(base, 'insert a after "encoder.layer.*.attention.output.dense" in layers 4..11', 2),
    ];
    const { model, shared } = parallelModel(tasks);
    expect(shared).toBeGreaterThan(10);
    expect(model.outputs.length).toBe(2);
    const inputs = tasks[0]!.model.inputs.map((t) =>
      /mask/i.test(t.name)
        ? tf.ones([2, 16], t.dtype)
        : tf.tensor2d(
            [...Array(32).keys()].map((k) => (k * 7) % 30),
            [2, 16],
            t.dtype,
          ),
    );
    const joined = model.predict(inputs) as tf.Tensor[];
    for (const [i, task] of tasks.entries()) {
      const alone = task.model.predict(inputs) as tf.Tensor;
      expect([...joined[i]!.dataSync()]).toEqual([...alone.dataSync()]);
    }
    const names = model.layers.map((l) => l.name);
    expect(names).toContain("encoder.layer.0.output.dense");
    expect(names).not.toContain("task0/encoder.layer.0.output.dense");
    expect(names).toContain("task0/encoder.layer.6.output.dense");
    expect(names).toContain("task1/encoder.layer.4.attention.output.dense");
  });
});
