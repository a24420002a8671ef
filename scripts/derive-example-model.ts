/**
 * Derives the bundled example's base model (examples/sentiment/model/) from an `adapt import hf` of
 * all-MiniLM-L6-v2: only the vocabulary rows the example's sentences use (plus the special tokens and
 * printable ASCII characters, so unseen words fall back to characters rather than [UNK]) are kept, the
 * tokenizer is rewritten to the new ids, and the weights are stored as float16.
 *
 * Usage: npx tsx scripts/derive-example-model.ts IMPORTED_DIR [OUT_DIR]
 * (IMPORTED_DIR from `adapt import hf <all-MiniLM-L6-v2 folder> -o IMPORTED_DIR`; see scripts/import-minilm.sh.)
 * It checks that every example sentence tokenizes to the same tokens as before, and prints the largest
 * difference of the derived model's hidden states from the float32 original on test sentences.
 */
import { copyFileSync, existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { Tokenizer } from "@huggingface/tokenizers";
import { buildBert } from "../runtime/bert/builder.ts";
import { parseBertConfig } from "../runtime/import/hf-config.ts";
import { quantizeFloat16 } from "../runtime/io/float16.ts";
import { loadLayersModelFile, modelJsonFor, weightBytes, writeModelFiles } from "../runtime/io/file-io.ts";
import { atomicWrite } from "../runtime/io/atomic.ts";

const EXAMPLE = join(import.meta.dirname, "..", "examples", "sentiment");
const SPLITS = ["train", "validation", "test"] as const;
type Json = Record<string, unknown>;

function sentences(): string[] {
  return SPLITS.flatMap((s) =>
    readFileSync(join(EXAMPLE, "data", `${s}.jsonl`), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { sentence: string }).sentence),
  );
}

function readJson(path: string): Json {
  return JSON.parse(readFileSync(path, "utf8")) as Json;
}

/** The old ids to keep, ascending: special tokens, ids the sentences use, printable ASCII characters. */
function keptIds(tok: Tokenizer, tokJson: Json, texts: string[]): number[] {
  const vocab = (tokJson["model"] as { vocab: Record<string, number> }).vocab;
  const keep = new Set<number>();
  for (const t of tokJson["added_tokens"] as { id: number }[]) keep.add(t.id);
  for (const text of texts) for (const id of tok.encode(text, { add_special_tokens: false }).ids) keep.add(id);
  for (let c = 33; c < 127; c++) {
    for (const piece of [String.fromCharCode(c), `##${String.fromCharCode(c)}`]) {
      const id = vocab[piece];
      if (id !== undefined) keep.add(id);
    }
  }
  return [...keep].sort((a, b) => a - b);
}

/** tokenizer.json with the vocabulary cut to `kept` and every id reference renumbered. */
function rewriteTokenizer(tokJson: Json, kept: number[]): Json {
  const newId = new Map(kept.map((old, i) => [old, i]));
  const remap = (old: number): number => {
    const id = newId.get(old);
    if (id === undefined) throw new Error(`token id ${old} is referenced but not kept`);
    return id;
  };
  const out = structuredClone(tokJson);
  const model = out["model"] as { vocab: Record<string, number> };
  model.vocab = Object.fromEntries(
    Object.entries(model.vocab)
      .filter(([, id]) => newId.has(id))
      .map(([t, id]) => [t, remap(id)]),
  );
  for (const t of out["added_tokens"] as { id: number }[]) t.id = remap(t.id);
  const post = out["post_processor"] as { special_tokens?: Record<string, { ids: number[] }> } | null;
  for (const s of Object.values(post?.special_tokens ?? {})) s.ids = s.ids.map(remap);
  const padding = out["padding"] as { pad_id?: number } | null;
  if (padding?.pad_id !== undefined) padding.pad_id = remap(padding.pad_id);
  return out;
}

function copyWeights(from: tf.LayersModel, to: tf.LayersModel, kept: number[]): void {
  for (const layer of to.layers) {
    if (layer.weights.length === 0) continue;
    const source = from.getLayer(layer.name).getWeights();
    if (layer.name === "embeddings.word_embeddings") {
      const rows = tf.gather(source[0]!, tf.tensor1d(kept, "int32"));
      layer.setWeights([rows]);
      rows.dispose();
    } else layer.setWeights(source);
  }
}

async function saveFloat16(model: tf.LayersModel, outDir: string): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const json = modelJsonFor(artifacts);
      const [specs, bytes] = quantizeFloat16(json.weightsManifest[0]!.weights, weightBytes(artifacts.weightData));
      writeModelFiles(outDir, { ...json, weightsManifest: [{ paths: ["./weights.bin"], weights: specs }] }, bytes);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
}

function checkTokenization(oldTok: Tokenizer, newTok: Tokenizer, kept: number[], texts: string[]): number {
  let differing = 0;
  for (const text of texts) {
    const before = oldTok.encode(text).ids.join(",");
    const after = newTok
      .encode(text)
      .ids.map((i: number) => kept[i])
      .join(",");
    if (before !== after) differing++;
  }
  return differing;
}

function batch(tok: Tokenizer, texts: string[], map: (id: number) => number): tf.Tensor[] {
  const ids = texts.map((t) => tok.encode(t).ids.map(map));
  const width = Math.max(...ids.map((x) => x.length));
  const pad = (x: number[], v: number): number[] => [...x, ...new Array<number>(width - x.length).fill(v)];
  return [
    ids.map((x) => pad(x, 0)),
    ids.map((x) =>
      pad(
        x.map(() => 1),
        0,
      ),
    ),
    ids.map((x) =>
      pad(
        x.map(() => 0),
        0,
      ),
    ),
  ].map((m) => tf.tensor2d(m, undefined, "int32"));
}

function maskedMaxDiff(a: tf.Tensor, b: tf.Tensor, mask: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.mul(tf.abs(tf.sub(a, b)), tf.expandDims(tf.cast(mask, "float32"), 2))).dataSync()[0]!);
}

function log(text: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}

async function main(): Promise<void> {
  const [imported, outArg] = process.argv.slice(2);
  if (imported === undefined) throw new Error("usage: derive-example-model.ts IMPORTED_DIR [OUT_DIR]");
  const outDir = outArg ?? join(EXAMPLE, "model");
  await tf.setBackend("cpu");
  const tokJson = readJson(join(imported, "tokenizer.json"));
  const tokConfig = readJson(join(imported, "tokenizer_config.json"));
  const oldTok = new Tokenizer(tokJson, tokConfig);
  const texts = sentences();
  const kept = keptIds(oldTok, tokJson, texts);
  log(`tokenized ${texts.length} sentences`);
  const newTokJson = rewriteTokenizer(tokJson, kept);
  const configText = readFileSync(join(imported, "config.json"), "utf8");
  const config = parseBertConfig(configText, "config.json").value;
  if (config === null) throw new Error("the imported config.json cannot be read");
  const full = await loadLayersModelFile(join(imported, "model.json"));
  const small = buildBert({ ...config, vocabSize: kept.length });
  copyWeights(full, small, kept);
  await saveFloat16(small, outDir);
  atomicWrite(join(outDir, "tokenizer.json"), JSON.stringify(newTokJson), { mkdir: true });
  atomicWrite(
    join(outDir, "config.json"),
    JSON.stringify({ ...(JSON.parse(configText) as Json), vocab_size: kept.length }, null, 2) + "\n",
    { mkdir: true },
  );
  for (const f of ["tokenizer_config.json", "special_tokens_map.json"])
    if (existsSync(join(imported, f))) copyFileSync(join(imported, f), join(outDir, f));

  log("wrote the derived model; checking it");
  const newTok = new Tokenizer(newTokJson, tokConfig);
  const differing = checkTokenization(oldTok, newTok, kept, texts);
  log("tokenization checked; comparing hidden states");
  const derived = await loadLayersModelFile(join(outDir, "model.json"));
  const probe = texts.slice(-16);
  const newFeeds = batch(newTok, probe, (i) => i);
  const oldFeeds = batch(oldTok, probe, (i) => i);
  const diff = maskedMaxDiff(full.predict(oldFeeds) as tf.Tensor, derived.predict(newFeeds) as tf.Tensor, newFeeds[1]!);
  const mb = (f: string): string => (statSync(join(outDir, f)).size / 1e6).toFixed(2);
  process.stdout.write(
    [
      `vocabulary: ${kept.length} of ${config.vocabSize} rows kept for ${texts.length} sentences`,
      `tokenization: ${differing} sentences tokenize differently from the full vocabulary (must be 0)`,
      `parameters: ${small.countParams().toLocaleString("en-US")} (full: ${full.countParams().toLocaleString("en-US")})`,
      `files: weights.bin ${mb("weights.bin")} MB, model.json ${mb("model.json")} MB, tokenizer.json ${mb("tokenizer.json")} MB`,
      `float16 vs float32 original, last hidden state on ${probe.length} sentences: max |diff| ${diff.toExponential(3)}`,
      "",
    ].join("\n"),
  );
  if (differing > 0) process.exitCode = 1;
}

await main();
