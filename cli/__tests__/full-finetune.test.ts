/**
 * Full fine-tuning (`train all`) and top-n fine-tuning on every test backend: the gradients of every
 * weight of a tiny BERT imported from a Hugging Face checkpoint (embedding tables included, whose gradient
 * needs UnsortedSegmentSum; token types from text pairs) equal the cpu backend's; and `adapt run` trains
 * such plans on a sentence-pair task on wasm end to end, with cpu's losses.
 */
import * as tf from "@tensorflow/tfjs";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { compileText } from "../../compiler/compile.ts";
import type { CompiledPlan } from "../../compiler/ir/types.ts";
import { expectClose, forEachBackend, onBackend } from "../../runtime/backend/testing.ts";
import { exactPadding, padBatch } from "../../runtime/tokenize/batches.ts";
import { feedFor, inputRoles, lossOf, outputsProbabilities } from "../../runtime/train/feed.ts";
import { buildModel, taskOf } from "../../runtime/train/session.ts";
import { importHf } from "../../runtime/import/import-hf.ts";
import { modelFileLoader } from "../files.ts";
import { runCli } from "./run-cli.ts";

const CHECKPOINT = join(import.meta.dirname, "..", "..", "runtime", "import", "__tests__", "fixtures", "tiny-bert");
let modelDir = "";

beforeAll(async () => {
  modelDir = mkdtempSync(join(tmpdir(), "adapt-full-model-"));
  await onBackend("cpu", () => importHf(CHECKPOINT, modelDir));
});

/** A folder with a sentence-pair data set (columns `sentence`, `other`, `label`), beside the model. */
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), "adapt-full-"));
  const rows = (n: number): string =>
    Array.from({ length: n }, (_, i) =>
      JSON.stringify({
        sentence: i % 2 ? "the movie was great" : "the food was bad",
        other: i % 3 ? "good service" : "not good",
        label: i % 2 ? "pos" : "neg",
      }),
    ).join("\n");
  for (const [f, n] of [
    ["train.jsonl", 16],
    ["dev.jsonl", 8],
    ["test.jsonl", 8],
  ] as const)
    writeFileSync(join(dir, f), rows(n));
  return dir;
}

const spec = (train: string): string => `model "${join(modelDir, "model.json")}"
${train}
head classifier(classes: 2, pool: mean, dropout: 0)
plan {
  data       train: "train.jsonl", validation: "dev.jsonl", test: "test.jsonl", text: "sentence", text_pair: "other", label: "label"
  optimizer  adamw(lr: 0.01)
  epochs     2
  batch      8
  seed       3
  output     "out"
}
`;

async function compiled(dir: string, text: string): Promise<CompiledPlan> {
  const r = await compileText(text, join(dir, "spec.adapt"), { loader: modelFileLoader(dir), purpose: "run" });
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return r.value.plan!;
}

const TEXTS: [string, string | null, number][] = [
  ["the movie was great good", null, 1],
  ["the food was bad bad bad", "the movie", 0],
  ["good", "the phone battery was great", 1],
];

/** The loss of one fixed batch and the gradient of every trainable weight, by name, on the active backend. */
async function gradients(plan: CompiledPlan): Promise<Map<string, number[]>> {
  const built = (await buildModel(plan, modelDir)).value!;
  const { model, encoder } = built;
  const encoded = TEXTS.map(([a, b]) => encoder.encode(a, b, 16));
  const batch = padBatch(
    encoded,
    TEXTS.map((t) => t[2]),
    [0, 1, 2],
    exactPadding(encoder.padId),
  );
  const feed = feedFor(model, inputRoles(model).value!, batch);
  const labels = tf.tensor1d(batch.labels, "float32");
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(
    () =>
      lossOf(taskOf(plan), outputsProbabilities(model), model.apply(feed, { training: false }) as tf.Tensor, labels),
    vars,
  );
  const out = new Map<string, number[]>([["loss", [...(await value.data())]]]);
  for (const w of model.trainableWeights)
    out.set(w.originalName, [...(await grads[(w.read() as tf.Variable).name]!.data())]);
  tf.dispose([value, labels, ...feed, ...Object.values(grads)]);
  model.dispose();
  return out;
}

await forEachBackend((b) => {
  for (const [name, rule, expected] of [
    ["train all", "train all", /embeddings/],
    ["top-1 fine-tuning", 'train "encoder.layer.*.**" in layers 1..1', /encoder\.layer\.1\./],
  ] as const) {
    it(`${name}: the loss and every weight's gradient equal cpu's`, async () => {
      const dir = workspace();
      const plan = await compiled(dir, spec(rule));
      const ref = await onBackend("cpu", () => gradients(plan));
      const got = await gradients(plan);
      expect([...got.keys()]).toEqual([...ref.keys()]);
      expect([...got.keys()].some((k) => expected.test(k))).toBe(true);
      if (name === "top-1 fine-tuning")
        expect([...got.keys()].some((k) => /embeddings|layer\.0\./.test(k))).toBe(false);
      for (const [k, g] of got) expectClose(g, ref.get(k)!, b.tolerance.gradient, `${b.name} ${name} ${k}`);
      const words = ref.get("embeddings.word_embeddings/embeddings")?.some((v) => v !== 0);
      if (name === "train all") expect(words).toBe(true);
      const types = ref.get("embeddings.token_type_embeddings/embeddings");
      if (name === "train all")
        expect(
          types!.slice(types!.length / 2).some((v) => v !== 0),
          "the pairs' second texts reach token type 1",
        ).toBe(true);
    });
  }
});

it("adapt run trains `train all` with text pairs on wasm, with cpu's losses", async () => {
  const losses = async (backend: string): Promise<number[]> => {
    const dir = workspace();
    writeFileSync(join(dir, "spec.adapt"), spec("train all"));
    const r = await runCli(["run", "spec.adapt", "--backend", backend], dir);
    expect(r.code, r.err).toBe(0);
    const log = readFileSync(join(dir, "out", "log.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { event: string; loss?: number });
    return log.filter((e) => e.event === "step").map((e) => e.loss!);
  };
  const cpu = await losses("cpu");
  const wasm = await losses("wasm");
  expect(wasm.length).toBe(4);
  expectClose(wasm, cpu, 1e-4, "wasm against cpu, train all");
}, 120_000);
