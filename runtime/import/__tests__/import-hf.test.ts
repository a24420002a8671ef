import { copyFileSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { importHf } from "../import-hf.ts";
import { buildBert } from "../../bert/builder.ts";
import { loadBertWeights } from "../hf-bert.ts";
import { parseBertConfig } from "../hf-config.ts";
import { parseSafetensors, type SafeTensor } from "../safetensors.ts";
import { loadLayersModelFile } from "../../io/file-io.ts";

const FIXTURE = join(import.meta.dirname, "fixtures", "tiny-bert");

interface Reference {
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids: number[][];
  last_hidden_state: number[][][];
  pooler_output: number[][];
}

const reference = JSON.parse(readFileSync(join(FIXTURE, "reference.json"), "utf8")) as Reference[];

function maxAbsDiff(a: tf.Tensor, b: number[][] | number[][][]): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, tf.tensor(b)))).dataSync()[0] as number);
}

function scratchCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "adapt-import-"));
  for (const f of ["config.json", "model.safetensors", "tokenizer.json"]) copyFileSync(join(FIXTURE, f), join(dir, f));
  return dir;
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("importHf on the tiny reference checkpoint", () => {
  it("writes a LayersModel whose outputs match PyTorch's within 1e-4", async () => {
    const out = mkdtempSync(join(tmpdir(), "adapt-import-out-"));
    const result = await importHf(FIXTURE, out, { pooler: true });
    expect(result.diagnostics).toEqual([]);
    expect(result.value?.tensorsLoaded).toBe(39);
    expect(existsSync(join(out, "tokenizer.json"))).toBe(true);
    const model = await loadLayersModelFile(join(out, "model.json"));
    for (const ref of reference) {
      const feeds = [ref.input_ids, ref.attention_mask, ref.token_type_ids].map((x) =>
        tf.tensor2d(x, undefined, "int32"),
      );
      const [hidden, pooled] = model.predict(feeds) as tf.Tensor[];
      expect(maxAbsDiff(hidden!, ref.last_hidden_state)).toBeLessThanOrEqual(1e-4);
      expect(maxAbsDiff(pooled!, ref.pooler_output)).toBeLessThanOrEqual(1e-4);
    }
  });

  it("names every layer by its Hugging Face module path", async () => {
    const out = mkdtempSync(join(tmpdir(), "adapt-import-out-"));
    await importHf(FIXTURE, out);
    const names = (await loadLayersModelFile(join(out, "model.json"))).layers.map((l) => l.name);
    for (const n of [
      "embeddings.word_embeddings",
      "embeddings.position_embeddings",
      "embeddings.token_type_embeddings",
      "embeddings.LayerNorm",
      "encoder.layer.1.attention.self.query",
      "encoder.layer.1.attention.self.key",
      "encoder.layer.1.attention.self.value",
      "encoder.layer.1.attention.output.dense",
      "encoder.layer.1.attention.output.LayerNorm",
      "encoder.layer.1.intermediate.dense",
      "encoder.layer.1.output.dense",
      "encoder.layer.1.output.LayerNorm",
    ]) {
      expect(names).toContain(n);
    }
    expect(names).not.toContain("pooler.dense");
  });

  it("warns about the pooler tensors it leaves out without --pooler", async () => {
    const result = await importHf(FIXTURE, mkdtempSync(join(tmpdir(), "adapt-import-out-")));
    expect(result.diagnostics.map((d) => d.code)).toEqual(["ADAPT966"]);
    expect(result.diagnostics[0]?.help).toContain("--pooler");
  });
});

describe("loadBertWeights on other checkpoint namings", () => {
  it("reads task checkpoints (`bert.` prefix) and old LayerNorm names (gamma, beta)", () => {
    const tensors = parseSafetensors(new Uint8Array(readFileSync(join(FIXTURE, "model.safetensors"))), "m").value!;
    const renamed = new Map<string, SafeTensor>();
    for (const [name, t] of tensors) {
      renamed.set(
        `bert.${name.replace(/LayerNorm\.weight$/, "LayerNorm.gamma").replace(/LayerNorm\.bias$/, "LayerNorm.beta")}`,
        t,
      );
    }
    renamed.set("classifier.weight", { dtype: "F32", shape: [2, 32], values: new Float32Array(64) });
    const config = parseBertConfig(readFileSync(join(FIXTURE, "config.json"), "utf8"), "config.json").value!;
    const model = buildBert(config, { pooler: true });
    const result = loadBertWeights(model, renamed, "m");
    expect(result.diagnostics).toEqual([]);
    expect(result.value).toBe(39);
    const ref = reference[0]!;
    const feeds = [ref.input_ids, ref.attention_mask, ref.token_type_ids].map((x) =>
      tf.tensor2d(x, undefined, "int32"),
    );
    expect(maxAbsDiff((model.predict(feeds) as tf.Tensor[])[0]!, ref.last_hidden_state)).toBeLessThanOrEqual(1e-4);
  });
});

describe("importHf on bad checkpoints", () => {
  it("reports a missing folder as ADAPT960", async () => {
    const result = await importHf(join(tmpdir(), "no-such-checkpoint-dir"), mkdtempSync(join(tmpdir(), "o-")));
    expect(result.value).toBeNull();
    expect(result.diagnostics.map((d) => d.code)).toEqual(["ADAPT960", "ADAPT960"]);
  });

  it("reports a config that is not JSON as ADAPT961", async () => {
    const dir = scratchCopy();
    writeFileSync(join(dir, "config.json"), "{ not json");
    const result = await importHf(dir, mkdtempSync(join(tmpdir(), "o-")));
    expect(result.diagnostics.map((d) => d.code)).toEqual(["ADAPT961"]);
  });

  it("reports an unsupported model type as ADAPT962 with its line", async () => {
    const dir = scratchCopy();
    const text = readFileSync(join(dir, "config.json"), "utf8").replace('"model_type": "bert"', '"model_type": "gpt2"');
    writeFileSync(join(dir, "config.json"), text);
    const result = await importHf(dir, mkdtempSync(join(tmpdir(), "o-")));
    expect(result.diagnostics[0]?.code).toBe("ADAPT962");
    expect(result.diagnostics[0]?.span.start.line).toBeGreaterThan(1);
  });

  it("reports a truncated safetensors file as ADAPT963", async () => {
    const dir = scratchCopy();
    writeFileSync(join(dir, "model.safetensors"), readFileSync(join(dir, "model.safetensors")).subarray(0, 500));
    const result = await importHf(dir, mkdtempSync(join(tmpdir(), "o-")));
    expect(result.diagnostics.map((d) => d.code)).toEqual(["ADAPT963"]);
  });

  it("reports weights that do not fit the config as ADAPT965", async () => {
    const dir = scratchCopy();
    const text = readFileSync(join(dir, "config.json"), "utf8").replace(
      '"intermediate_size": 64',
      '"intermediate_size": 48',
    );
    writeFileSync(join(dir, "config.json"), text);
    const result = await importHf(dir, mkdtempSync(join(tmpdir(), "o-")));
    expect(result.value).toBeNull();
    expect(result.diagnostics.some((d) => d.code === "ADAPT965" && d.message.includes("intermediate.dense"))).toBe(
      true,
    );
  });
});
