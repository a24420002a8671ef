import { existsSync, readFileSync, writeFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { runSession } from "../session.ts";
import { tinyPlan } from "./fixtures/tiny-run.ts";
import { planFor, workspace } from "./fixtures/workspace.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("runSession", () => {
  it("trains the head on a tiny BERT, logs every step, evaluates test", async () => {
    const dir = workspace();
    const r = await runSession(planFor(dir), { specDir: dir, resume: false });
    expect(r.diagnostics).toEqual([]);
    expect(r.value!.train.status).toBe("done");
    expect(r.value!.test!.metrics["accuracy"]).toBe(1);
    expect(r.value!.data.labelNames).toEqual(["neg", "pos"]);
    const log = readFileSync(join(dir, "out", "log.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { event: string });
    expect(log.filter((l) => l.event === "step")).toHaveLength(20);
    expect(log.filter((l) => l.event === "eval")).toHaveLength(5);
    expect(existsSync(join(dir, "out", "checkpoint.ckpt"))).toBe(true);
  }, 30_000);

  it("stops with ADAPT913 on a non-finite loss and keeps going no further", async () => {
    const dir = workspace();
    const tp = tinyPlan("out");
    const plan = planFor(dir, {
      optimizer: { ...tp.optimizer, kind: "sgd", lr: 1e38 },
      clipNorm: null,
      metrics: ["pearson"],
      select: null,
    });
    plan.plan!.data.label = "score";
    const r = await runSession(
      { ...plan, head: { ...plan.head!, kind: "regression", classes: 1 } },
      { specDir: dir, resume: false },
    );
    expect(r.diagnostics.map((d) => d.code)).toEqual(["ADAPT913"]);
  }, 30_000);

  it("reports an unwritable output folder before training (ADAPT911)", async () => {
    const dir = workspace();
    const locked = join(dir, "locked");
    writeFileSync(locked, "a file, not a folder");
    chmodSync(locked, 0o444);
    const r = await runSession(planFor(dir, { output: "locked/run" }), { specDir: dir, resume: false });
    expect(r.diagnostics.map((d) => d.code)).toEqual(["ADAPT911"]);
    expect(existsSync(join(dir, "locked", "run"))).toBe(false);
  }, 30_000);

  it("names data problems before loading the model", async () => {
    const dir = workspace();
    writeFileSync(join(dir, "dev.jsonl"), '{"sentence": "x", "label": "meh"}\n');
    const r = await runSession(planFor(dir), { specDir: dir, resume: false });
    expect(r.diagnostics.map((d) => [d.code, d.span.start.line])).toEqual([["ADAPT905", 1]]);
  });
});
