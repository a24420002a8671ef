import { spawnSync } from "node:child_process";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeSafetensors } from "../../runtime/artifact/safetensors.ts";
import { workspace } from "../../runtime/train/__tests__/fixtures/workspace.ts";
import type { Io } from "../command.ts";
import { main } from "../main.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

function capture(cwd: string): Io & { out: string[]; err: string[] } {
  const out: string[] = [],
    err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), color: false, cwd };
}

const PLAN = (out: string) => `plan {
  data train: "train.jsonl", validation: "dev.jsonl", test: "test.jsonl", text: "sentence", label: "label"
  optimizer adam(lr: 0.01)
  epochs 1
  batch 8
  max_length 16
  seed 1
  output "${out}"
}`;

const TASK = `model "model.json"
adapter task = bottleneck(size: 2)
insert task after "encoder.layer.*.output.dense"
head classifier(classes: 2)
${PLAN("runs/task")}
`;

async function run(dir: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = capture(dir);
  const code = await main(args, io);
  return { code, out: io.out.join(""), err: io.err.join("") };
}

function weightsOf(dir: string): Map<string, Float32Array> {
  const t = decodeSafetensors(new Uint8Array(readFileSync(join(dir, "adapter.safetensors")))).tensors;
  return new Map([...t].map(([k, v]) => [k, v.values]));
}

describe("use and stack", () => {
  let dir = "";
  beforeAll(async () => {
    dir = workspace();
    writeFileSync(join(dir, "task.adapt"), TASK);
    writeFileSync(join(dir, "task-b.adapt"), TASK.replace("runs/task", "runs/task-b").replace("seed 1", "seed 2"));
    for (const spec of ["task.adapt", "task-b.adapt"]) {
      const r = await run(dir, ["run", spec, "--backend", "cpu"]);
      expect(r.code, r.err).toBe(0);
    }
  }, 180_000);

  it("loads a trained adapter frozen, stacks a new one after it, and keeps the loaded weights through training", async () => {
    const spec = `model "model.json"
use "runs/task" as lang
adapter task2 = bottleneck(size: 2)
insert task2 after "encoder.layer.*.output.dense"
stack lang, task2
head classifier(classes: 2)
${PLAN("runs/stacked")}
`;
    writeFileSync(join(dir, "stacked.adapt"), spec);
    const explained = await run(dir, ["compile", "stacked.adapt"]);
    expect(explained.code, explained.err).toBe(0);
    const plan = JSON.parse(explained.out) as {
      operations: { id: string; site: string; origin?: { use: string } }[];
      weights: { name: string; trainable: boolean; params: number }[];
      totals: { added: number; trainable: number };
    };
    const site0 = plan.operations.filter((o) => o.site === "encoder.layer.0.output.dense").map((o) => o.id);
    expect(site0).toEqual(["lang.task@encoder.layer.0.output.dense", "task2@encoder.layer.0.output.dense"]);
    const loaded = plan.weights.filter((w) => w.name.startsWith("adapter.lang.task."));
    expect(loaded.length).toBe(12 * 4);
    expect(loaded.every((w) => !w.trainable)).toBe(true);
    const perSite = 2 * 2 * 8 + 8 + 2;
    expect(plan.totals.added).toBe(2 * 12 * perSite);
    expect(plan.totals.trainable).toBe(12 * perSite + 8 * 2 + 2);

    const r = await run(dir, ["run", "stacked.adapt", "--backend", "cpu"]);
    expect(r.code, r.err).toBe(0);
    const before = weightsOf(join(dir, "runs/task"));
    const after = weightsOf(join(dir, "runs/stacked"));
    for (const [name, values] of before) {
      if (!name.startsWith("adapter.")) continue;
      expect([...after.get(name.replace("adapter.task.", "adapter.lang.task."))!]).toEqual([...values]);
    }
  }, 120_000);

  it("fuses two loaded adapters, counts the fusion exactly, trains it and predicts from the saved artifact", async () => {
    const spec = `model "model.json"
use "runs/task" as a
use "runs/task-b" as b
fuse a, b as mix
head classifier(classes: 2)
${PLAN("runs/fused")}
`;
    writeFileSync(join(dir, "fused.adapt"), spec);
    const compiled = await run(dir, ["compile", "fused.adapt"]);
    expect(compiled.code, compiled.err).toBe(0);
    const plan = JSON.parse(compiled.out) as {
      fusions: { id: string; members: string[]; params: number }[];
      totals: { added: number; trainable: number };
    };
    expect(plan.fusions.length).toBe(12);
    expect(plan.fusions[0]!.members).toEqual([
      "a.task@encoder.layer.0.output.dense",
      "b.task@encoder.layer.0.output.dense",
    ]);
    const fusion = 3 * 8 * 8 + 3 * 8;
    expect(plan.fusions[0]!.params).toBe(fusion);
    expect(plan.totals.added).toBe(2 * 12 * (2 * 2 * 8 + 8 + 2) + 12 * fusion);
    expect(plan.totals.trainable).toBe(12 * fusion + 8 * 2 + 2);
    const r = await run(dir, ["run", "fused.adapt", "--backend", "cpu"]);
    expect(r.code, r.err).toBe(0);
    const saved = weightsOf(join(dir, "runs/fused"));
    expect(saved.has("fusion.mix.encoder.layer.0.output.dense/query/kernel")).toBe(true);
    expect([...saved.get("fusion.mix.encoder.layer.0.output.dense/query/kernel")!].some((v) => v !== 0)).toBe(true);
    const p = await run(dir, ["predict", "runs/fused", "the movie was great good", "--backend", "cpu", "--json"]);
    expect(p.code, p.err).toBe(0);
    expect((JSON.parse(p.out) as { label: string }[]).length).toBe(1);
  }, 120_000);

  it("answers for several artifacts in one pass, each task exactly as its artifact alone", async () => {
    const texts = ["the movie was great good", "the plot was bad", "good"];
    const many = await run(dir, [
      "predict",
      "runs/task",
      "runs/task-b",
      "runs/fused",
      "--backend",
      "cpu",
      "--json",
      "--",
      ...texts,
    ]);
    expect(many.code, many.err).toBe(0);
    const answers = JSON.parse(many.out) as { artifact: string; predictions: unknown[] }[];
    expect(answers.map((a) => a.artifact)).toEqual(["runs/task", "runs/task-b", "runs/fused"]);
    for (const a of answers) {
      const alone = await run(dir, ["predict", a.artifact, ...texts, "--backend", "cpu", "--json"]);
      expect(alone.code, alone.err).toBe(0);
      expect(a.predictions).toEqual(JSON.parse(alone.out));
    }
  }, 120_000);

  it("gives the same answers through the compiled CLI (bin/adapt.js, esbuild's bundle)", async () => {
    const args = [
      "predict",
      "runs/task",
      "runs/task-b",
      "--backend",
      "cpu",
      "--json",
      "--",
      "good",
      "the plot was bad",
    ];
    const inProcess = await run(dir, args);
    expect(inProcess.code, inProcess.err).toBe(0);
    const bin = new URL("../../bin/adapt.js", import.meta.url).pathname;
    const r = spawnSync(process.execPath, [bin, ...args], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(inProcess.out));
  }, 120_000);

  it("refuses artifacts of different base models in one prediction (ADAPT952)", async () => {
    const other = workspace();
    const weights = readFileSync(join(other, "weights.bin"));
    weights[0] = (weights[0]! + 1) % 256;
    writeFileSync(join(other, "weights.bin"), weights);
    writeFileSync(join(other, "task.adapt"), TASK);
    expect((await run(other, ["run", "task.adapt", "--backend", "cpu"])).code).toBe(0);
    const r = await run(dir, ["predict", "runs/task", join(other, "runs/task"), "--backend", "cpu", "--", "good"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("ADAPT952");
  }, 120_000);

  it("trains a loaded adapter when a rule names it", async () => {
    const spec = `model "model.json"\nuse "runs/task" as lang\ntrain lang\nhead classifier(classes: 2)\n`;
    writeFileSync(join(dir, "train-lang.adapt"), spec);
    const r = await run(dir, ["compile", "train-lang.adapt"]);
    const plan = JSON.parse(r.out) as { weights: { name: string; trainable: boolean }[] };
    expect(plan.weights.filter((w) => w.name.startsWith("adapter.lang.")).every((w) => w.trainable)).toBe(true);
  });

  it("reports a missing artifact, another base and absent sites at the use statement", async () => {
    const bad = (text: string) => {
      writeFileSync(join(dir, "bad.adapt"), text);
      return run(dir, ["check", "bad.adapt"]);
    };
    const missing = await bad(`model "model.json"\nuse "runs/nothing" as x\n`);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/ADAPT930[\s\S]*bad\.adapt:2:5/);

    cpSync(join(dir, "runs/task"), join(dir, "runs/other"), { recursive: true });
    const metaFile = join(dir, "runs/other/adapter.json");
    const meta = JSON.parse(readFileSync(metaFile, "utf8")) as { plan: { model: { fingerprint: string } } };
    meta.plan.model.fingerprint = "f".repeat(64);
    writeFileSync(metaFile, JSON.stringify(meta));
    const other = await bad(`model "model.json"\nuse "runs/other" as x\n`);
    expect(other.err).toMatch(/ADAPT932[\s\S]*bad\.adapt:2:5/);

    cpSync(join(import.meta.dirname, "../../compiler/__tests__/fixtures/mlp"), join(dir, "mlp"), { recursive: true });
    const absent = await bad(`model "mlp/model.json"\nuse "runs/task" as x\n`);
    expect(absent.err).toMatch(/ADAPT143[\s\S]*bad\.adapt:2:5/);
    expect(absent.err).toContain("encoder.layer.0.output.dense");
  });

  it("reports a stack member missing at a site", async () => {
    writeFileSync(
      join(dir, "bad-stack.adapt"),
      `model "model.json"\nuse "runs/task" as lang\nadapter t = bottleneck(size: 2)\ninsert t after "encoder.layer.0.output.dense"\nstack lang, t\n`,
    );
    const r = await run(dir, ["check", "bad-stack.adapt"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("ADAPT230");
    expect(r.err).toContain("`t` is not at `encoder.layer.1.output.dense`");
  });
});
