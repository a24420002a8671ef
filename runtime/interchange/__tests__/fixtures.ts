/**
 * Fixtures of the interchange tests: the tiny reference BERT checkpoint (runtime/import's fixture, a real
 * BertModel with attention and position embeddings) imported into a temp folder, specs compiled against
 * it through the pipeline, and artifacts of adapted models whose trainable weights are moved off their
 * initial values (so LoRA's B and IA3's scales are not at their identity values).
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { CompiledPlan } from "../../../compiler/ir/types.ts";
import { runPipeline } from "../../../compiler/pipeline.ts";
import { encodeArtifact, type Artifact } from "../../artifact/artifact.ts";
import { fingerprint } from "../../artifact/fingerprint.ts";
import { writeArtifact } from "../../artifact/files.ts";
import { RUN_INFO, type RunInfo } from "../../artifact/run-info.ts";
import { loadHfCheckpoint } from "../../import/import-hf.ts";
import { fileSaveHandler, loadLayersModelFile } from "../../io/file-io.ts";
import { applySurgery } from "../../surgery/apply.ts";
import { attachHead } from "../../train/head.ts";

/** The tiny reference checkpoint (config.json, model.safetensors, tokenizer.json, reference.json). */
export const CHECKPOINT = join(import.meta.dirname, "..", "..", "import", "__tests__", "fixtures", "tiny-bert");

/** A folder with the tiny BERT imported (model.json, weights.bin, tokenizer.json), and the model. */
export async function tinyBertBase(): Promise<{ dir: string; model: tf.LayersModel }> {
  const dir = mkdtempSync(join(tmpdir(), "adapt-interchange-"));
  const loaded = loadHfCheckpoint(CHECKPOINT);
  if (loaded.value === null) throw new Error(loaded.diagnostics.map((d) => d.message).join("; "));
  await loaded.value.model.save(fileSaveHandler(join(dir, "base")));
  loaded.value.model.dispose();
  copyFileSync(join(CHECKPOINT, "tokenizer.json"), join(dir, "base", "tokenizer.json"));
  return { dir, model: await loadLayersModelFile(join(dir, "base", "model.json")) };
}

/** Compiles `text` (whose model is `base/model.json`) in `dir`; throws on errors. */
export async function compileIn(dir: string, text: string): Promise<CompiledPlan> {
  const loader = (path: string) => ({ ok: true as const, json: readFileSync(join(dir, path), "utf8") });
  const r = await runPipeline({ text, file: join(dir, "spec.adapt") }, loader);
  if (r.value.plan === null) throw new Error(r.diagnostics.map((d) => `${d.code} ${d.message}`).join("; "));
  return r.value.plan;
}

/** The adapted model of `plan` on `base` (with its head), every trainable weight moved by seeded noise. */
export function adaptedModel(base: tf.LayersModel, plan: CompiledPlan, std = 0.2): tf.LayersModel {
  const surgery = applySurgery(base, plan);
  if (surgery.value === null) throw new Error(surgery.diagnostics.map((d) => d.message).join("; "));
  const model = plan.head === null ? surgery.value : attachHead(surgery.value, plan.head, 5);
  model.trainableWeights.forEach((w, i) =>
    w.write(tf.add(w.read(), tf.randomNormal(w.shape as number[], 0, std, "float32", 100 + i))),
  );
  return model;
}

/** The artifact of an adapted model. */
export async function artifactOf(base: tf.LayersModel, adapted: tf.LayersModel, plan: CompiledPlan): Promise<Artifact> {
  return encodeArtifact(adapted, plan, await fingerprint(base));
}

/** A batch with padding for the tiny checkpoint (ids < 68): ids, mask and token types, int32. */
export function tinyBatch(): { ids: number[][]; mask: number[][]; types: number[][] } {
  return {
    ids: [
      [2, 5, 6, 7, 8, 3, 0, 0],
      [2, 10, 11, 12, 13, 14, 15, 3],
    ],
    mask: [
      [1, 1, 1, 1, 1, 1, 0, 0],
      [1, 1, 1, 1, 1, 1, 1, 1],
    ],
    types: [
      [0, 0, 0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 1, 1, 1, 1],
    ],
  };
}

/** The model's inputs for {@link tinyBatch}, in the model's input order. */
export function batchTensors(model: tf.LayersModel): tf.Tensor[] {
  const b = tinyBatch();
  const byName: Record<string, number[][]> = { input_ids: b.ids, attention_mask: b.mask, token_type_ids: b.types };
  return model.inputNames.map((n) => tf.tensor2d(byName[n] ?? b.ids, undefined, "int32"));
}

/** The committed peer fixtures (exported folders with PyTorch's outputs; folders saved by PyTorch). */
export const PEER_FIXTURES = join(import.meta.dirname, "fixtures");

/** The artifacts exported to the peers by the tests and by scripts/make-peer-fixtures.ts: format and spec. */
export const EXPORT_CASES = {
  "peft-lora": {
    format: "peft",
    adapters: `adapter l = lora(rank: 2, alpha: 4)
apply l to "encoder.layer.*.attention.self.{query,value}"
size l = 3 in layers 1`,
  },
  "peft-ia3": {
    format: "peft",
    adapters: `adapter s = ia3()
apply s to "encoder.layer.*.{attention.self.key,output.dense}"`,
  },
  "adapters-houlsby": {
    format: "adapters",
    adapters: `adapter houlsby = bottleneck(size: 4, activation: gelu)
insert houlsby after "encoder.layer.*.attention.output.dense"
insert houlsby after "encoder.layer.*.output.dense"
size houlsby = 8 in layers 1`,
  },
} as const;

/** The spec of an export case: the tiny base and the case's adapters, with a head (which is not exported). */
export function exportSpec(name: keyof typeof EXPORT_CASES): string {
  return `model "base/model.json"\n${EXPORT_CASES[name].adapters}\nhead classifier(classes: 2, pool: cls)\n`;
}

/** The reference batches of the tiny checkpoint (padding, token types), as PyTorch ran them. */
export function referenceBatches(): {
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids: number[][];
}[] {
  return JSON.parse(readFileSync(join(CHECKPOINT, "reference.json"), "utf8")) as ReturnType<typeof referenceBatches>;
}

/** One batch of a `reference.json` that PyTorch wrote: the inputs and the encoder's last hidden state. */
export interface Reference {
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids: number[][];
  last_hidden_state: number[][][];
}

/** The batches of the `reference.json` at `path`. */
export function readReference(path: string): Reference[] {
  return JSON.parse(readFileSync(path, "utf8")) as Reference[];
}

/** The largest absolute difference between two [batch, tokens, d] arrays. */
export function maxDiff(a: number[][][], b: number[][][]): number {
  return Math.max(...a.flatMap((x, i) => x.flatMap((y, j) => y.map((v, k) => Math.abs(v - b[i]![j]![k]!)))));
}

/** The encoder's last hidden state on one reference batch (the model's first output, or its head's input). */
export function hiddenState(
  model: tf.LayersModel,
  batch: ReturnType<typeof referenceBatches>[number],
  layer?: string,
): number[][][] {
  const encoder =
    layer === undefined
      ? model
      : tf.model({ inputs: model.inputs, outputs: model.getLayer(layer).output as tf.SymbolicTensor });
  const byName: Record<string, number[][]> = { ...batch };
  const xs = encoder.inputNames.map((n) => tf.tensor2d(byName[n]!, undefined, "int32"));
  const out = [encoder.predict(xs)].flat()[0] as tf.Tensor;
  const value = out.arraySync() as number[][][];
  tf.dispose([...xs, out]);
  return value;
}

/** An artifact folder in `dir` (with `run.json` naming `dir/base`) of `adapters` on the tiny base, with a head. */
export async function writeArtifactFolder(
  dir: string,
  base: tf.LayersModel,
  name: string,
  adapters: string,
): Promise<string> {
  const plan = await compileIn(dir, `model "base/model.json"\n${adapters}\nhead classifier(classes: 2, pool: cls)\n`);
  const folder = join(dir, name);
  writeArtifact(folder, await artifactOf(base, adaptedModel(base, plan), plan));
  const info: RunInfo = {
    labelNames: ["neg", "pos"],
    task: { kind: "classifier", classes: 2 },
    maxLength: 16,
    metrics: ["accuracy"],
    batch: 4,
    baseModel: "../base/model.json",
    text: "sentence",
    textPair: null,
    label: "label",
  };
  writeFileSync(join(folder, RUN_INFO), JSON.stringify(info));
  return folder;
}
