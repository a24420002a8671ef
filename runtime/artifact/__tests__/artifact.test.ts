import * as tf from "@tensorflow/tfjs";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeArtifact, loadArtifact } from "../artifact.ts";
import { fingerprint } from "../fingerprint.ts";
import { META_NAME, readArtifact, WEIGHTS_NAME, writeArtifact } from "../files.ts";
import { mergeAdapters } from "../merge.ts";
import { decodeSafetensors, encodeSafetensors } from "../safetensors.ts";
import { weightsChecksum } from "../validate.ts";
import { applySurgery } from "../../surgery/apply.ts";
import { inputsFor, maxDiff, op, planFor, tinyEncoder } from "../../surgery/__tests__/fixtures.ts";

const dir = mkdtempSync(join(tmpdir(), "adapt-artifact-"));
beforeAll(async () => {
  await tf.setBackend("cpu");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const L0 = "encoder.layer.0";
const train = (m: tf.LayersModel): void => {
  m.trainableWeights.forEach((w, i) =>
    w.write(tf.add(w.read(), tf.randomNormal(w.shape as number[], 0, 0.1, "float32", i))),
  );
};

describe("safetensors", () => {
  it("writes the format's layout and reads it back", () => {
    const t = new Map([
      ["a/b", { shape: [2, 3], values: Float32Array.from([1, 2, 3, 4, 5, -6.5]) }],
      ["c", { shape: [1], values: Float32Array.from([7]) }],
    ]);
    const bytes = encodeSafetensors(t, { k: "v" });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header["a/b"]).toEqual({ dtype: "F32", shape: [2, 3], data_offsets: [0, 24] });
    expect(header["__metadata__"]).toEqual({ k: "v" });
    expect(bytes.byteLength).toBe(8 + n + 28);
    const back = decodeSafetensors(bytes);
    expect([...back.tensors.get("a/b")!.values]).toEqual([1, 2, 3, 4, 5, -6.5]);
    expect(back.metadata).toEqual({ k: "v" });
    expect(() => decodeSafetensors(bytes.subarray(0, 20))).toThrow(/header length/);
  });

  it("names a dtype that is an object without a usable toString (found by the fuzz test)", () => {
    const header = new TextEncoder().encode(
      JSON.stringify({ t: { dtype: { toString: null }, shape: [1], data_offsets: [0, 4] } }),
    );
    const bytes = new Uint8Array(8 + header.byteLength + 4);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(header.byteLength), true);
    bytes.set(header, 8);
    expect(() => decodeSafetensors(bytes)).toThrow(/unknown dtype `\{"toString":null\}`/);
  });
});

describe("adapter artifacts", () => {
  const ops = [
    op("bottleneck", `${L0}.output.dense`, { size: 4 }),
    op("lora", `${L0}.intermediate.dense`, { d: 16, kernelShape: [8, 16], scale: 2 }),
  ];
  const ln = [`${L0}.output.LayerNorm/gamma`];

  it("saves only added and trained weights, and loads them back losslessly", async () => {
    const base = tinyEncoder();
    const plan = planFor(base, ops, ln);
    const adapted = applySurgery(base, plan).value!;
    train(adapted);
    const artifact = await encodeArtifact(adapted, plan, await fingerprint(base));
    const written = writeArtifact(dir, artifact).value!;
    const params = adapted.trainableWeights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
    expect(artifact.meta.weights.sort()).toEqual([...ops.flatMap((o) => o.weights.map((w) => w.name)), ...ln].sort());
    expect(statSync(join(dir, WEIGHTS_NAME)).size).toBe(written.weightsBytes);
    expect(written.weightsBytes - params * 4).toBeLessThan(1024);
    const read = readArtifact(dir).value!;
    expect(read.meta.spec.text).toBe(plan.spec.text);
    const loaded = await loadArtifact(tinyEncoder(), read);
    expect(loaded.diagnostics).toEqual([]);
    expect(maxDiff(adapted, loaded.value!.model, inputsFor(base))).toBe(0);
  });

  it("refuses a base model with other shapes, naming the weight", async () => {
    const base = tinyEncoder();
    const plan = planFor(base, ops);
    const artifact = await encodeArtifact(applySurgery(base, plan).value!, plan, await fingerprint(base));
    const other = tf.sequential({
      layers: [tf.layers.dense({ units: 8, inputShape: [4], name: `${L0}.attention.output.dense` })],
    });
    const r = await loadArtifact(other, artifact);
    expect(r.value).toBeNull();
    expect(r.diagnostics.map((d) => d.code)).toEqual(["ADAPT932"]);
    expect(r.diagnostics[0]?.message).toContain(
      `\`${L0}.attention.output.dense/kernel\` has shape [4, 8] in the base model`,
    );
  });

  it("refuses a base model with the same shapes but other weights", async () => {
    const base = tinyEncoder(1);
    const plan = planFor(base, ops);
    const artifact = await encodeArtifact(applySurgery(base, plan).value!, plan, await fingerprint(base));
    const r = await loadArtifact(tinyEncoder(2), artifact);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["ADAPT932"]);
    expect(r.diagnostics[0]?.message).toMatch(/different weight values/);
  });

  it("names a weight whose shape differs and a weight that is missing", async () => {
    const base = tinyEncoder();
    const plan = planFor(base, ops);
    const adapted = applySurgery(base, plan).value!;
    const artifact = await encodeArtifact(adapted, plan, await fingerprint(base));
    const file = decodeSafetensors(artifact.safetensors);
    const name = `adapter.bottleneck.${L0}.output.dense/down/kernel`;
    file.tensors.set(name, { shape: [8, 3], values: new Float32Array(24) });
    const missing = `adapter.lora.${L0}.intermediate.dense/lora_B`;
    file.tensors.delete(missing);
    const safetensors = encodeSafetensors(file.tensors, file.metadata);
    const meta = {
      ...artifact.meta,
      weights: artifact.meta.weights.filter((w) => w !== missing),
      weightsSha256: weightsChecksum(safetensors),
    };
    const r = await loadArtifact(base, { meta, safetensors });
    expect(r.diagnostics.map((d) => d.code).sort()).toEqual(["ADAPT933", "ADAPT934"]);
    expect(r.diagnostics.map((d) => d.message).join(" ")).toContain(name);
  });

  it("reports an unreadable or malformed artifact folder", () => {
    expect(readArtifact(join(dir, "nope")).diagnostics[0]?.code).toBe("ADAPT930");
    const bad = mkdtempSync(join(dir, "bad-"));
    writeFileSync(join(bad, WEIGHTS_NAME), "x");
    writeFileSync(join(bad, META_NAME), "{}");
    expect(readArtifact(bad).diagnostics[0]?.code).toBe("ADAPT931");
  });

  it("merges LoRA into the kernels with outputs within 1e-5 of the unmerged model", () => {
    const base = tinyEncoder();
    const plan = planFor(base, ops);
    const adapted = applySurgery(base, plan).value!;
    train(adapted);
    const merged = mergeAdapters(base, adapted, plan).value!;
    expect(merged.layers.some((l) => l.name.startsWith("adapter.lora"))).toBe(false);
    const xs = inputsFor(base);
    expect(maxDiff(adapted, merged, xs)).toBeLessThanOrEqual(1e-5);
    expect(maxDiff(base, merged, xs)).toBeGreaterThan(1e-3);
  });
});
