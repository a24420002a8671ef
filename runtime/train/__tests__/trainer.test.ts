import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { watchDevice, type WatchedDevice } from "../../backend/device.ts";
import { exactPadding } from "../../tokenize/batches.ts";
import { loadCheckpoint, saveCheckpoint } from "../checkpoint.ts";
import { runPaths, train } from "../trainer.ts";
import { tinyModel, tinyPlan, tinySplit } from "./fixtures/tiny-run.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const out = (): string => mkdtempSync(join(tmpdir(), "adapt-trainer-"));
const task = { kind: "classifier", classes: 2 } as const;

describe("trainer", () => {
  it("fails with ADAPT945 at the step after which the GPU device reported an error, and logs it", async () => {
    const dir = out();
    const device = new EventTarget();
    watchDevice(device as unknown as WatchedDevice);
    let step = 0;
    const onEvent = (e: { type: string }): void => {
      if (e.type === "step" && ++step === 2)
        device.dispatchEvent(
          Object.assign(new Event("uncapturederror"), {
            error: { message: "Out of memory\n - While calling [Device].CreateBuffer" },
          }),
        );
    };
    const r = await train({
      model: tinyModel(1),
      task,
      plan: tinyPlan(dir),
      train: tinySplit(64, 1),
      validation: null,
      padding: exactPadding(0),
      outDir: dir,
      resume: false,
      onEvent,
    });
    expect(r.value!.status).toBe("failed");
    expect(r.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["ADAPT945", "the GPU device reported an error at step 3: Out of memory"],
    ]);
    const log = readFileSync(runPaths(dir).log, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { event: string; code?: string });
    expect(log.filter((l) => l.event === "step")).toHaveLength(2);
    expect(log.at(-1)).toMatchObject({ event: "error", code: "ADAPT945", message: "Out of memory" });
  });

  it("stops early when validation does not improve for `patience` evaluations", async () => {
    const dir = out();
    const plan = {
      ...tinyPlan(dir),
      optimizer: { ...tinyPlan(dir).optimizer, lr: 0 },
      earlyStopping: { patience: 1, minDelta: 0 },
    };
    const r = await train({
      model: tinyModel(1),
      task,
      plan,
      train: tinySplit(64, 1),
      validation: tinySplit(16, 2),
      padding: exactPadding(0),
      outDir: dir,
      resume: false,
    });
    expect(r.value!.state.stoppedEarly).toBe(true);
    expect(r.value!.state.epoch).toBe(2);
    expect(r.value!.state.globalStep).toBe(16);
  });

  it("ends with the best evaluation's weights when `select` is set", async () => {
    const dir = out();
    const model = tinyModel(2);
    const r = await train({
      model,
      task,
      plan: tinyPlan(dir),
      train: tinySplit(64, 1),
      validation: tinySplit(16, 2),
      padding: exactPadding(0),
      outDir: dir,
      resume: false,
    });
    const best = loadCheckpoint<unknown>(runPaths(dir).best);
    if ("error" in best) throw new Error(best.error);
    expect(r.value!.state.best).not.toBeNull();
    model.trainableWeights.forEach((w, i) => expect(w.read().dataSync()).toEqual(best.arrays[i]));
  });

  it("is reproducible: the same seed gives the same weights, another seed others", async () => {
    const run = async (seed: number): Promise<number[]> => {
      const dir = out();
      const model = tinyModel(3);
      await train({
        model,
        task,
        plan: { ...tinyPlan(dir), seed, epochs: 1 },
        train: tinySplit(64, 1),
        validation: null,
        padding: exactPadding(0),
        outDir: dir,
        resume: false,
      });
      return model.trainableWeights.flatMap((w) => [...w.read().dataSync()]);
    };
    const a = await run(5);
    expect(await run(5)).toEqual(a);
    expect(await run(6)).not.toEqual(a);
  });

  it("refuses a damaged checkpoint or one from another plan (ADAPT914)", async () => {
    const dir = out();
    const path = runPaths(dir).checkpoint;
    saveCheckpoint(path, { fingerprint: "x", state: {}, arrays: [new Float32Array([1, 2])] });
    const ok = loadCheckpoint(path);
    expect("error" in ok ? null : ok.arrays[0]).toEqual(new Float32Array([1, 2]));
    const r = await train({
      model: tinyModel(1),
      task,
      plan: tinyPlan(dir),
      train: tinySplit(16, 1),
      validation: null,
      padding: exactPadding(0),
      outDir: dir,
      resume: true,
    });
    expect(r.diagnostics.map((d) => d.code)).toEqual(["ADAPT914"]);
    writeFileSync(path, readFileSync(path).subarray(0, 20));
    expect(loadCheckpoint(path)).toHaveProperty("error");
  });
});
