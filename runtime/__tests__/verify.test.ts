import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeArtifact, loadArtifact } from "../artifact/artifact.ts";
import { fingerprint } from "../artifact/fingerprint.ts";
import { applySurgery } from "../surgery/apply.ts";
import { op, planFor, sequentialModel, sharedModel, tinyEncoder } from "../surgery/__tests__/fixtures.ts";
import { verifyPlan } from "../verify.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const L0 = "encoder.layer.0";
const near = { kind: "near_identity", std: 0.01 } as const;
type Model = () => tf.LayersModel;
const matrix: [string, Model, ReturnType<typeof op>][] = [
  ["encoder bottleneck after", tinyEncoder, op("bottleneck", `${L0}.output.dense`)],
  ["encoder bottleneck before", tinyEncoder, op("bottleneck", `${L0}.output.LayerNorm`, { position: "before" })],
  ["encoder parallel", tinyEncoder, op("parallel", `${L0}.attention.output.dense`, { scale: 2 })],
  [
    "encoder lora (gelu dense)",
    tinyEncoder,
    op("lora", `${L0}.intermediate.dense`, { d: 16, kernelShape: [8, 16], scale: 2 }),
  ],
  ["encoder ia3", tinyEncoder, op("ia3", `${L0}.intermediate.dense`, { d: 16 })],
  ["shared bottleneck", sharedModel, op("bottleneck", "shared")],
  ["shared lora", sharedModel, op("lora", "shared")],
  ["sequential parallel", sequentialModel, op("parallel", "fc1")],
  ["sequential ia3", sequentialModel, op("ia3", "fc2", { d: 3 })],
];

describe("verifyPlan", () => {
  for (const [name, model, o] of matrix) {
    it(`${name}: passes with exactly 0 deviation`, async () => {
      const base = model();
      const { value, diagnostics } = await verifyPlan(base, planFor(base, [o]));
      expect(diagnostics).toEqual([]);
      expect(value?.ok).toBe(true);
      expect(value?.maxDeviation).toBe(0);
      const names = value!.checks.map((c) => c.name);
      expect(names).toEqual(
        o.kind === "lora" || o.kind === "ia3"
          ? ["identity", "trainable", "roundtrip", "artifact", "merge"]
          : ["identity", "trainable", "roundtrip", "artifact"],
      );
    });
  }

  it("reports the deviation of near_identity within the tolerance", async () => {
    const base = tinyEncoder();
    const { value } = await verifyPlan(
      base,
      planFor(base, [op("bottleneck", `${L0}.output.dense`, { init: near, size: 8 })]),
    );
    expect(value?.ok).toBe(true);
    expect(value!.maxDeviation).toBeGreaterThan(0);
    expect(value!.checks[0]?.tolerance).toBeGreaterThan(0);
  });

  it("fails with ADAPT926 when the deviation exceeds the tolerance", async () => {
    const base = tinyEncoder();
    const plan = planFor(base, [op("bottleneck", `${L0}.output.dense`, { init: { kind: "near_identity", std: 0.5 } })]);
    const { value, diagnostics } = await verifyPlan(base, plan, { nearIdentityTolerance: 1e-6 });
    expect(value?.ok).toBe(false);
    expect(diagnostics.map((d) => d.code)).toEqual(["ADAPT926"]);
  });

  it("fails with ADAPT925 when the plan trains a weight the model does not have", async () => {
    const base = tinyEncoder();
    const plan = planFor(base, [op("bottleneck", `${L0}.output.dense`)]);
    plan.weights.push({
      name: "ghost/kernel",
      owner: "base",
      layer: "ghost",
      shape: [1],
      params: 1,
      trainable: true,
      rule: null,
    });
    const { value, diagnostics } = await verifyPlan(base, plan);
    expect(value?.checks.find((c) => c.name === "trainable")?.ok).toBe(false);
    expect(diagnostics.map((d) => d.code)).toEqual(["ADAPT925"]);
    expect(diagnostics[0]?.message).toContain("ghost/kernel");
  });
});

describe("a 12-layer BERT-style model with Houlsby adapters (m = 64)", () => {
  it("saves an artifact of the trained parameters' bytes plus a small header, refused by another base", async () => {
    const base = tinyEncoder(1, 12, 64);
    const ops = Array.from({ length: 12 }, (_, i) => [
      op("bottleneck", `encoder.layer.${i}.attention.output.dense`, {
        adapter: "houlsby",
        d: 64,
        size: 64,
        init: near,
      }),
      op("bottleneck", `encoder.layer.${i}.output.dense`, { adapter: "houlsby", d: 64, size: 64, init: near }),
    ]).flat();
    const plan = planFor(base, ops);
    const adapted = applySurgery(base, plan).value!;
    const params = ops.reduce((n, o) => n + o.params, 0);
    expect(params).toBe(24 * (2 * 64 * 64 + 64 + 64));
    const artifact = await encodeArtifact(adapted, plan, await fingerprint(base));
    const header = artifact.safetensors.byteLength - params * 4;
    expect(header).toBeGreaterThan(0);
    expect(header).toBeLessThan(16 * 1024);
    const other = await loadArtifact(tinyEncoder(1, 11, 64), artifact);
    expect(other.value).toBeNull();
    expect(other.diagnostics[0]?.code).toBe("ADAPT932");
    expect(other.diagnostics[0]?.message).toMatch(
      /different base model: the base model has no weight `encoder\.layer\.11\./,
    );
  });
});

describe("on the BERT builder's encoder", () => {
  it("Houlsby adapters and LoRA on query/value pass verify with exactly 0 deviation", async () => {
    const { buildBert } = await import("../bert/builder.ts");
    const base = buildBert({
      vocabSize: 50,
      hiddenSize: 16,
      numHiddenLayers: 2,
      numAttentionHeads: 2,
      intermediateSize: 32,
      hiddenAct: "gelu",
      maxPositionEmbeddings: 8,
      typeVocabSize: 2,
      layerNormEps: 1e-12,
      hiddenDropoutProb: 0,
    });
    const ops = [0, 1].flatMap((i) => [
      op("bottleneck", `encoder.layer.${i}.attention.output.dense`, { adapter: "houlsby", d: 16, size: 4 }),
      op("bottleneck", `encoder.layer.${i}.output.dense`, { adapter: "houlsby", d: 16, size: 4 }),
      op("lora", `encoder.layer.${i}.attention.self.query`, { d: 16, kernelShape: [16, 16], scale: 2 }),
      op("lora", `encoder.layer.${i}.attention.self.value`, { d: 16, kernelShape: [16, 16], scale: 2 }),
    ]);
    const { value, diagnostics } = await verifyPlan(base, planFor(base, ops));
    expect(diagnostics).toEqual([]);
    expect(value?.ok).toBe(true);
    expect(value?.maxDeviation).toBe(0);
  });
});
