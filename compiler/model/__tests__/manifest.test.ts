import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { readManifest } from "../manifest.ts";
import { syntheticEncoder } from "../synthetic.ts";
import { FIXTURES, fixtureManifest } from "../../__tests__/helpers.ts";

async function loadReal(name: string): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(`${FIXTURES}${name}/model.json`, "utf8"));
  const bin = readFileSync(`${FIXTURES}${name}/weights.bin`);
  const data = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: data,
    }),
  );
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("readManifest on models saved by tfjs", () => {
  for (const name of ["mlp", "residual", "tiny-bert"]) {
    it(`${name}: paths, classes, output shapes and parameters agree with the loaded LayersModel`, async () => {
      const m = fixtureManifest(name);
      const model = await loadReal(name);
      expect(m.params).toBe(model.countParams());
      const real = model.layers.filter((l) => l.getClassName() !== "InputLayer" || m.className !== "Sequential");
      expect(m.layers.map((l) => l.path).sort()).toEqual(real.map((l) => l.name).sort());
      for (const l of real) {
        const info = m.byPath.get(l.name)!;
        expect(info.className).toBe(l.getClassName());
        expect(info.params).toBe(l.countParams());
        expect(info.outputShape).toEqual(l.outputShape);
      }
      model.dispose();
    });
  }

  it("reads the BERT-style encoder's layer indices, outputs and dense kernels", () => {
    const m = fixtureManifest("tiny-bert");
    expect(m.layerIndices).toEqual([...Array(12).keys()]);
    expect(m.outputs).toEqual(["encoder.layer.11.output.LayerNorm", "pooler.dense"]);
    expect(m.byPath.get("encoder.layer.3.intermediate.dense")!.kernelShape).toEqual([8, 32]);
    expect(m.byPath.get("encoder.layer.3.output.add")!.inbound).toEqual([
      "encoder.layer.3.output.dense",
      "encoder.layer.3.attention.output.LayerNorm",
    ]);
    expect(m.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it("a generated encoder has the same layers, shapes and weights as the tfjs-built fixture", () => {
    const real = fixtureManifest("tiny-bert");
    const gen = readManifest(syntheticEncoder({ layers: 12, d: 8, ff: 32, vocab: 40, seq: 16 }), "gen").value!;
    const view = (m: typeof real) =>
      m.layers.map((l) => [l.path, l.className, l.outputShape, l.inbound, l.weights.map((w) => [w.name, w.shape])]);
    expect(view(gen)).toEqual(view(real));
  });

  it("the fingerprint changes with the weights manifest and not with key order", () => {
    const text = readFileSync(`${FIXTURES}mlp/model.json`, "utf8");
    const json = JSON.parse(text);
    const reordered = { weightsManifest: json.weightsManifest, modelTopology: json.modelTopology };
    expect(readManifest(reordered, "a").value!.fingerprint).toBe(readManifest(text, "a").value!.fingerprint);
    json.weightsManifest[0].weights[0].shape = [10, 17];
    expect(readManifest(json, "a").value!.fingerprint).not.toBe(readManifest(text, "a").value!.fingerprint);
  });
});

describe("readManifest on malformed or hostile input", () => {
  const bad = (input: unknown) => {
    const r = readManifest(input, "bad/model.json");
    expect(r.value).toBeNull();
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]!.code).toBe("ADAPT126");
    expect(r.diagnostics[0]!.file).toBe("bad/model.json");
    expect(r.diagnostics[0]!.message).toContain("`bad/model.json`");
    return r.diagnostics[0]!.message;
  };

  it("rejects text that is not JSON, and JSON that is not a LayersModel", () => {
    expect(bad("{ not json")).toContain("not valid JSON");
    expect(bad("[]")).toContain("not a TensorFlow.js LayersModel");
    expect(bad({ modelTopology: { class_name: "Model", config: { layers: "x" } } })).toContain("LayersModel");
  });

  it("rejects __proto__, constructor and prototype keys without polluting prototypes", () => {
    const text = readFileSync(`${FIXTURES}mlp/model.json`, "utf8").replace(
      '"class_name":"Dense"',
      '"__proto__":{"polluted":true},"class_name":"Dense"',
    );
    expect(bad(text)).toContain("forbidden key `__proto__`");
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(bad('{"modelTopology":{"constructor":{"prototype":{"x":1}}}}')).toContain("forbidden key");
  });

  it("refuses deep nesting without overflowing the stack", () => {
    const deep = `${"[".repeat(100000)}${"]".repeat(100000)}`;
    expect(bad(`{"modelTopology":${deep}}`)).toMatch(/nested deeper|not valid JSON/);
  });

  it("rejects dangling inbound layers, duplicate names and cycles", () => {
    const layer = (name: string, from: string[]) => ({
      name,
      class_name: "Dense",
      config: { name, units: 2 },
      inbound_nodes: [from.map((f) => [f, 0, 0, {}])],
    });
    const model = (layers: unknown[]) => ({
      modelTopology: { class_name: "Model", config: { layers, input_layers: [], output_layers: [] } },
    });
    expect(bad(model([layer("a", ["nope"])]))).toContain("`nope`, which is not a layer");
    expect(bad(model([layer("a", []), layer("a", [])]))).toContain("two layers are named `a`");
    expect(bad(model([layer("a", ["b"]), layer("b", ["a"])]))).toContain("cycle");
  });

  it("keeps layers of unknown classes, taking the shape from a kernel when it can", () => {
    const json = JSON.parse(readFileSync(`${FIXTURES}residual/model.json`, "utf8"));
    json.modelTopology.config.layers[1].class_name = "MyCustomDense";
    const m = readManifest(json, "x").value!;
    expect(m.byPath.get("block.dense1")!.outputShape).toEqual([null, 6, 24]);
    json.modelTopology.config.layers[3].class_name = "Mystery";
    expect(readManifest(json, "x").value!.byPath.get("block.add")!.outputShape).toBeNull();
  });
});
