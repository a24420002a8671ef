import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { Tokenizer } from "@huggingface/tokenizers";
import { beforeAll, describe, expect, it } from "vitest";
import { loadLayersModelFile } from "../../io/file-io.ts";

const MODEL = join(import.meta.dirname, "..", "..", "..", "examples", "sentiment", "model");
const readJson = (f: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(MODEL, f), "utf8")) as Record<string, unknown>;

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("the bundled example's base model", () => {
  it("is small enough to commit and stores its weights as float16", () => {
    const bytes = ["model.json", "weights.bin", "tokenizer.json"].reduce(
      (n, f) => n + statSync(join(MODEL, f)).size,
      0,
    );
    expect(bytes).toBeLessThanOrEqual(30e6);
    const manifest = (
      readJson("model.json")["weightsManifest"] as { weights: { quantization?: { dtype: string } }[] }[]
    )[0]!;
    expect(manifest.weights.every((w) => w.quantization?.dtype === "float16")).toBe(true);
  });

  it("has one embedding row per tokenizer id and encodes the example's sentences without [UNK]", async () => {
    const model = await loadLayersModelFile(join(MODEL, "model.json"));
    const tok = new Tokenizer(readJson("tokenizer.json"), readJson("tokenizer_config.json"));
    const rows = model.getLayer("embeddings.word_embeddings").getWeights()[0]!.shape[0];
    const vocab = (readJson("tokenizer.json")["model"] as { vocab: Record<string, number> }).vocab;
    expect(Object.keys(vocab).length).toBe(rows);
    expect(Math.max(...Object.values(vocab))).toBe(rows! - 1);
    const unk = vocab["[UNK]"];
    const lines = readFileSync(join(MODEL, "..", "data", "test.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .slice(0, 200);
    for (const line of lines) {
      const ids = tok.encode((JSON.parse(line) as { sentence: string }).sentence).ids;
      expect(ids).not.toContain(unk);
    }
    const ids = tok.encode("The food was great.").ids;
    const feed = [ids, ids.map(() => 1), ids.map(() => 0)].map((x) => tf.tensor2d([x], undefined, "int32"));
    const hidden = model.predict(feed) as tf.Tensor;
    expect(hidden.shape).toEqual([1, ids.length, 384]);
    expect(tf.all(tf.isFinite(hidden)).dataSync()[0]).toBe(1);
  });
});
