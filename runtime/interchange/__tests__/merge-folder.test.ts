import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TFJS_LAYER_CLASSES } from "../../../compiler/model/known-classes.ts";
import { loadLayersModelFile } from "../../io/file-io.ts";
import { mergeToFolder } from "../merge-folder.ts";
import { STANDALONE_CLASSES, STANDALONE_MODULE } from "../standalone-layers.ts";
import { adaptedModel, artifactOf, batchTensors, compileIn, tinyBatch, tinyBertBase } from "./fixtures.ts";

const ROOT = join(import.meta.dirname, "..", "..", "..");
let dir = "";
let base: tf.LayersModel;

beforeAll(async () => {
  await tf.setBackend("cpu");
  ({ dir, model: base } = await tinyBertBase());
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MERGEABLE = `model "base/model.json"
adapter l = lora(rank: 2, alpha: 4)
adapter s = ia3()
apply l to "encoder.layer.*.attention.self.{query,value}"
apply s to "encoder.layer.*.output.dense"
head classifier(classes: 3, pool: mean)
`;

/**
 * Loads the merged folder in a child process that imports only `@tensorflow/tfjs` (and, when asked,
 * the folder's own layer module), runs the tiny batch and writes the logits to a file.
 */
function runStock(folder: string, register: boolean): number[][] {
  const out = join(folder, "stock-out.json");
  const script = `
import * as tf from "@tensorflow/tfjs";
import { readFileSync, writeFileSync } from "node:fs";
const folder = ${JSON.stringify(folder)};
${register ? `const { registerLayers } = await import(${JSON.stringify(`file://${join(folder, STANDALONE_MODULE)}`)}); registerLayers(tf);` : ""}
await tf.setBackend("cpu");
const json = JSON.parse(readFileSync(folder + "/model.json", "utf8"));
const bytes = readFileSync(folder + "/weights.bin");
const model = await tf.loadLayersModel(tf.io.fromMemory({
  modelTopology: json.modelTopology,
  weightSpecs: json.weightsManifest[0].weights,
  weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
}));
const b = ${JSON.stringify(tinyBatch())};
const byName = { input_ids: b.ids, attention_mask: b.mask, token_type_ids: b.types };
const xs = model.inputNames.map((n) => tf.tensor2d(byName[n], undefined, "int32"));
writeFileSync(${JSON.stringify(out)}, JSON.stringify(model.predict(xs).arraySync()));
`;
  execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT, stdio: "pipe" });
  return JSON.parse(readFileSync(out, "utf8")) as number[][];
}

describe("mergeToFolder", () => {
  it("writes LoRA and IA3 folded into stock Dense layers, loading in stock tfjs with outputs within 1e-5", async () => {
    const plan = await compileIn(dir, MERGEABLE);
    const adapted = adaptedModel(base, plan);
    const expected = (adapted.predict(batchTensors(adapted)) as tf.Tensor).arraySync() as number[][];
    const out = join(dir, "merged");
    const r = await mergeToFolder(base, await artifactOf(base, adapted, plan), out, {
      tokenizerFrom: join(dir, "base"),
      metadata: { labels: ["a", "b", "c"] },
    });
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(r.value?.merged).toBe(plan.operations.length);
    expect(r.value?.files).toEqual(["model.json", "weights.bin", STANDALONE_MODULE, "tokenizer.json"]);
    const json = JSON.parse(readFileSync(join(out, "model.json"), "utf8"));
    const classes = new Set<string>(
      (json.modelTopology.model_config ?? json.modelTopology).config.layers.map(
        (l: { class_name: string }) => l.class_name,
      ),
    );
    for (const c of classes) expect([...TFJS_LAYER_CLASSES, ...STANDALONE_CLASSES]).toContain(c);
    expect(json.userDefinedMetadata.adapt.labels).toEqual(["a", "b", "c"]);
    expect(r.value?.parameters).toBe(base.countParams() + 32 * 3 + 3);

    const stock = runStock(out, true);
    const diff = Math.max(...stock.flatMap((row, i) => row.map((v, j) => Math.abs(v - expected[i]![j]!))));
    expect(diff).toBeLessThanOrEqual(1e-5);
    expect(() => runStock(out, false)).toThrow(/Unknown layer: (MaskedSelfAttention|PositionEmbedding)/);

    const viaAdapt = await loadLayersModelFile(join(out, "model.json"));
    const again = (viaAdapt.predict(batchTensors(viaAdapt)) as tf.Tensor).arraySync() as number[][];
    expect(
      Math.max(...again.flatMap((row, i) => row.map((v, j) => Math.abs(v - expected[i]![j]!)))),
    ).toBeLessThanOrEqual(1e-5);
    for (const site of ["encoder.layer.0.attention.self.query", "encoder.layer.1.output.dense"]) {
      const [merged, original] = [viaAdapt, base].map((m) => m.getLayer(site).getWeights()[0]!);
      expect(tf.max(tf.abs(tf.sub(merged!, original!))).dataSync()[0]).toBeGreaterThan(1e-3);
    }
  });

  it("refuses (ADAPT956) adapters that do not merge, naming each, and writes nothing", async () => {
    const plan = await compileIn(
      dir,
      `model "base/model.json"
adapter h = bottleneck(size: 4)
adapter g = ia3()
insert h after "encoder.layer.*.output.dense"
apply g to "encoder.layer.0.attention.self.query"
head classifier(classes: 2, pool: cls)
`,
    );
    const adapted = adaptedModel(base, plan);
    const out = join(dir, "refused");
    const r = await mergeToFolder(base, await artifactOf(base, adapted, plan), out);
    expect(r.value).toBeNull();
    expect(r.diagnostics.map((d) => d.code)).toEqual(["ADAPT956"]);
    expect(r.diagnostics[0]?.message).toContain("adapter `h` (bottleneck) at 2 sites");
    expect(existsSync(out)).toBe(false);
  });

  it("reports a folder that cannot be written (ADAPT957)", async () => {
    const plan = await compileIn(dir, MERGEABLE);
    const adapted = adaptedModel(base, plan);
    const blocker = join(dir, "blocker");
    writeFileSync(blocker, "a file, not a folder");
    const r = await mergeToFolder(base, await artifactOf(base, adapted, plan), join(blocker, "out"));
    expect(r.value).toBeNull();
    expect(r.diagnostics.map((d) => d.code)).toEqual(["ADAPT957"]);
  });
});
