/**
 * The kinds added through the registry train end to end: `adapt run` on a tiny real BERT (with its
 * `MaskedSelfAttention` layers) lowers the loss with Compacter and with prefix tuning, writes an
 * artifact that `adapt eval` scores again, and the prefix artifact holds only the prefix rows.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { buildBert } from "../../bert/builder.ts";
import { fileSaveHandler } from "../../io/file-io.ts";
import { withSeededRandom } from "../../train/prng.ts";
import { workspace } from "../../train/__tests__/fixtures/workspace.ts";
import { runCli } from "../../../cli/__tests__/run-cli.ts";

const PLAN = `head classifier(classes: 2, pool: mean, dropout: 0.0)
plan {
  data       train: "train.jsonl", validation: "dev.jsonl", test: "test.jsonl", text: "sentence", label: "label"
  optimizer  adamw(lr: 0.05)
  epochs     4
  batch      8
  seed       1
  output     "out"
}
`;

async function tinyBertWorkspace(): Promise<string> {
  const dir = workspace();
  await tf.setBackend("cpu");
  const model = withSeededRandom(5, () =>
    buildBert({
      vocabSize: 40,
      hiddenSize: 8,
      numHiddenLayers: 2,
      numAttentionHeads: 2,
      intermediateSize: 16,
      hiddenAct: "gelu",
      maxPositionEmbeddings: 32,
      typeVocabSize: 2,
      layerNormEps: 1e-12,
      hiddenDropoutProb: 0,
    }),
  );
  await model.save(fileSaveHandler(dir));
  model.dispose();
  return dir;
}

function losses(dir: string): number[] {
  return readFileSync(join(dir, "out", "log.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { event: string; loss?: number })
    .filter((e) => e.event === "step")
    .map((e) => e.loss!);
}

async function trains(spec: string): Promise<string> {
  const dir = await tinyBertWorkspace();
  writeFileSync(join(dir, "spec.adapt"), `model "model.json"\n${spec}\n${PLAN}`);
  const run = await runCli(["run", "spec.adapt", "--backend", "cpu"], dir);
  expect(run.code, run.err).toBe(0);
  const l = losses(dir);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  expect(mean(l.slice(-4))).toBeLessThan(mean(l.slice(0, 4)));
  const scored = await runCli(["eval", "out", "--data", "test.jsonl"], dir);
  expect(scored.code, scored.err).toBe(0);
  return dir;
}

describe("kinds added through the registry train end to end", () => {
  it("compacter", async () => {
    const dir = await trains(
      'adapter c = compacter(size: 4, phm: 2, init: zeros)\ninsert c after "encoder.layer.*.output.dense" expect 2',
    );
    const meta = JSON.parse(readFileSync(join(dir, "out", "adapter.json"), "utf8")) as { weights: string[] };
    const suffixes = new Set(
      meta.weights.filter((w) => w.startsWith("adapter.")).map((w) => w.split("/").slice(1).join("/")),
    );
    expect([...suffixes].sort()).toEqual([
      "down/bias",
      "down/left",
      "down/phm_rule",
      "down/right",
      "up/bias",
      "up/left",
      "up/phm_rule",
      "up/right",
    ]);
  }, 120_000);

  it("prefix tuning, saving only the prefixes", async () => {
    const dir = await trains(
      'adapter p = prefix(length: 3, hidden: 8)\napply p to "encoder.layer.*.attention.self.context" expect 2',
    );
    const meta = JSON.parse(readFileSync(join(dir, "out", "adapter.json"), "utf8")) as {
      weights: string[];
      plan: { operations: { config: unknown; weights: { shape: number[] }[] }[] };
    };
    expect(meta.weights.filter((w) => w.startsWith("adapter."))).toEqual([
      "adapter.p.encoder.layer.0.attention.self.context/keys_values",
      "adapter.p.encoder.layer.1.attention.self.context/keys_values",
    ]);
    expect(meta.plan.operations.map((o) => [o.config, o.weights.map((w) => w.shape)])).toEqual([
      [{ kind: "prefix", hidden: 0 }, [[3, 16]]],
      [{ kind: "prefix", hidden: 0 }, [[3, 16]]],
    ]);
  }, 120_000);
});
