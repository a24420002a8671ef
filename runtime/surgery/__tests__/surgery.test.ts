import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { applySurgery } from "../apply.ts";
import { inputsFor, maxDiff, op, planFor, sequentialModel, sharedModel, tinyEncoder } from "./fixtures.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const L0 = "encoder.layer.0";
const cases = [
  ["bottleneck after", op("bottleneck", `${L0}.output.dense`)],
  ["bottleneck before", op("bottleneck", `${L0}.output.LayerNorm`, { position: "before" })],
  ["parallel", op("parallel", `${L0}.attention.output.dense`, { scale: 4 })],
  ["lora on a linear dense", op("lora", `${L0}.attention.output.dense`, { scale: 2 })],
  ["lora on a gelu dense", op("lora", `${L0}.intermediate.dense`, { d: 16, kernelShape: [8, 16] })],
  ["ia3", op("ia3", `${L0}.intermediate.dense`, { d: 16 })],
] as const;

describe("applySurgery", () => {
  for (const [name, o] of cases) {
    it(`${name}: zeros init gives exactly the base outputs and adds the planned weights`, () => {
      const base = tinyEncoder();
      const before = base.getWeights().map((w) => w.dataSync().slice());
      const { value, diagnostics } = applySurgery(base, planFor(base, [o]));
      expect(diagnostics).toEqual([]);
      expect(value).not.toBeNull();
      const adapted = value!;
      expect(maxDiff(base, adapted, inputsFor(base))).toBe(0);
      const names = adapted.trainableWeights.map((w) => w.originalName).sort();
      expect(names).toEqual(o.weights.map((w) => w.name).sort());
      expect(base.getWeights().map((w) => w.dataSync())).toEqual(before);
      expect(base.layers.length).toBeLessThan(adapted.layers.length);
      expect(base.trainableWeights.length).toBe(base.weights.length);
    });
  }

  it("rewires every consumer of a serial site, including the residual add", () => {
    const base = tinyEncoder();
    const site = `${L0}.attention.output.LayerNorm`;
    const adapted = applySurgery(base, planFor(base, [op("bottleneck", site)])).value!;
    const adapterName = `adapter.bottleneck.${site}`;
    const consumers = adapted.layers.filter((l) =>
      l.inboundNodes.some((n) => n.inboundLayers.some((i) => i.name === adapterName)),
    );
    expect(consumers.map((l) => l.name).sort()).toEqual([`${L0}.intermediate.dense`, `${L0}.output.add`]);
    const stillDirect = adapted.layers.filter((l) =>
      l.inboundNodes.some((n) => n.inboundLayers.some((i) => i.name === site)),
    );
    expect(stillDirect.map((l) => l.name)).toEqual([adapterName]);
  });

  it("near_identity init changes the outputs a little and zero biases", () => {
    const base = tinyEncoder();
    const o = op("bottleneck", `${L0}.output.dense`, { init: { kind: "near_identity", std: 0.01 } });
    const adapted = applySurgery(base, planFor(base, [o])).value!;
    const dev = maxDiff(base, adapted, inputsFor(base));
    expect(dev).toBeGreaterThan(0);
    expect(dev).toBeLessThan(0.05);
    const byName = new Map(adapted.weights.map((w) => [w.originalName, w.read()]));
    const down = byName.get(`adapter.bottleneck.${L0}.output.dense/down/kernel`)!;
    expect(tf.max(tf.abs(down)).dataSync()[0]).toBeLessThanOrEqual(0.02);
    expect(tf.max(tf.abs(byName.get(`adapter.bottleneck.${L0}.output.dense/up/bias`)!)).dataSync()[0]).toBe(0);
  });

  it("adapts every call of a layer with several inbound nodes", () => {
    const base = sharedModel();
    const o = op("bottleneck", "shared", { init: { kind: "near_identity", std: 0.5 } });
    const adapted = applySurgery(base, planFor(base, [o])).value!;
    const adapter = adapted.getLayer(`adapter.bottleneck.shared`);
    expect(adapter.inboundNodes.length).toBe(2);
    const x = tf.randomNormal([2, 8], 0, 1, "float32", 5);
    const y = adapted.predict([x, x]) as tf.Tensor;
    const [ya, yb] = tf.split(y, 2, 1);
    expect(tf.max(tf.abs(tf.sub(ya!, yb!))).dataSync()[0]).toBe(0);
    expect(maxDiff(base, adapted, [x, x])).toBeGreaterThan(0);
  });

  it("converts a Sequential model to a functional one", () => {
    const base = sequentialModel();
    const adapted = applySurgery(base, planFor(base, [op("bottleneck", "fc1")])).value!;
    expect(adapted.getClassName()).toBe("Model");
    expect(maxDiff(base, adapted, inputsFor(base))).toBe(0);
  });

  it("freezes as the plan says and trains the named base weights", () => {
    const base = tinyEncoder();
    const o = op("bottleneck", `${L0}.output.dense`);
    const ln = [`${L0}.output.LayerNorm/gamma`, `${L0}.output.LayerNorm/beta`];
    const adapted = applySurgery(base, planFor(base, [o], ln)).value!;
    const names = adapted.trainableWeights.map((w) => w.originalName).sort();
    expect(names).toEqual([...o.weights.map((w) => w.name), ...ln].sort());
  });

  it("names a missing site with the closest path", () => {
    const base = tinyEncoder();
    const { value, diagnostics } = applySurgery(base, planFor(base, [op("bottleneck", `${L0}.output.dens`)]));
    expect(value).toBeNull();
    expect(diagnostics.map((d) => d.code)).toEqual(["ADAPT920"]);
    expect(diagnostics[0]?.help).toContain(`${L0}.output.dense`);
  });

  it("refuses LoRA on a layer without a dense kernel and a wrong feature size", () => {
    const base = tinyEncoder();
    const r1 = applySurgery(base, planFor(base, [op("lora", `${L0}.output.LayerNorm`)]));
    expect(r1.diagnostics.map((d) => d.code)).toContain("ADAPT922");
    const r2 = applySurgery(base, planFor(base, [op("bottleneck", `${L0}.intermediate.dense`, { d: 8 })]));
    expect(r2.value).toBeNull();
    expect(r2.diagnostics.map((d) => d.code)).toContain("ADAPT921");
  });

  it("refuses `before` on a layer with several inputs", () => {
    const base = tinyEncoder();
    const r = applySurgery(base, planFor(base, [op("bottleneck", `${L0}.output.add`, { position: "before" })]));
    expect(r.value).toBeNull();
    expect(r.diagnostics.map((d) => d.code)).toEqual(["ADAPT921"]);
    expect(r.diagnostics[0]?.message).toMatch(/2 inputs/);
  });

  it("reports added weights that differ from the plan and a trainable set that differs", () => {
    const base = tinyEncoder();
    const o = op("bottleneck", `${L0}.output.dense`);
    const wrong = { ...o, weights: o.weights.map((w, i) => (i === 0 ? { ...w, name: `${w.name}_x` } : w)) };
    const r = applySurgery(base, { operations: [wrong], weights: planFor(base, [wrong]).weights });
    expect(r.diagnostics.map((d) => d.code)).toContain("ADAPT924");
    expect(r.diagnostics.map((d) => d.code)).toContain("ADAPT925");
  });
});
