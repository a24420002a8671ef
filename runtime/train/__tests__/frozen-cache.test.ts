import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import type { HeadIR } from "../../../compiler/ir/types.ts";
import { buildBert } from "../../bert/builder.ts";
import { layerIndexOf } from "../../../compiler/model/types.ts";
import { files, type Files, useFiles } from "../../io/files.ts";
import { exactPadding, padBatch } from "../../tokenize/batches.ts";
import type { EncodedSplit } from "../evaluate.ts";
import { feedFor, inputRoles } from "../feed.ts";
import { FrozenPrefixRunner, type FrozenOptions } from "../frozen-cache.ts";
import { splitAt } from "../frozen-split.ts";
import { attachHead } from "../head.ts";
import { mulberry32, withSeededRandom } from "../prng.ts";
import { runPaths, train } from "../trainer.ts";
import { tinyPlan } from "./fixtures/tiny-run.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const HEAD: HeadIR = {
  kind: "classifier",
  classes: 2,
  pool: "mean",
  dropout: 0.1,
  input: "encoder.layer.2.output.LayerNorm",
  d: 16,
  params: 34,
  weights: [],
};

/** A 3-layer BERT with hidden dropout everywhere and a mean-pool head; only layer 2 and the head train. */
function topOneModel(): tf.LayersModel {
  const config = {
    vocabSize: 30,
    hiddenSize: 16,
    numHiddenLayers: 3,
    numAttentionHeads: 4,
    intermediateSize: 24,
    hiddenAct: "gelu" as const,
    maxPositionEmbeddings: 16,
    typeVocabSize: 2,
    layerNormEps: 1e-12,
    hiddenDropoutProb: 0.1,
  };
  const model = withSeededRandom(3, () => attachHead(buildBert(config, { dropout: true }), HEAD, 5));
  for (const layer of model.layers) {
    const i = layerIndexOf(layer.name);
    layer.trainable = layer.name.startsWith("head.") || i === 2;
  }
  return model;
}

/** Sentences of 2 to 12 tokens; label 1 when token 3 occurs more often than token 4. */
function split(n: number, seed: number): EncodedSplit {
  const r = mulberry32(seed);
  const encoded = Array.from({ length: n }, () => {
    const len = 2 + Math.floor(r() * 11);
    return { ids: Int32Array.from({ length: len }, () => 1 + Math.floor(r() * 29)), typeIds: new Int32Array(len) };
  });
  const count = (ids: Int32Array, t: number): number => ids.filter((x) => x === t).length;
  const labels = Float32Array.from(encoded.map((e) => (count(e.ids, 3) > count(e.ids, 4) ? 1 : 0)));
  return { encoded, labels, lengths: encoded.map((e) => e.ids.length) };
}

interface Run {
  weights: Float32Array[];
  model: tf.LayersModel;
  losses: number[];
  evals: Record<string, number>[];
  dir: string;
  log: { event: string; split?: string; cache?: string; computed?: number }[];
}

async function run(
  frozen: FrozenOptions | undefined,
  dir = mkdtempSync(join(tmpdir(), "adapt-frozen-")),
  stopAt: number | null = null,
  model = topOneModel(),
  evaluated: "train" | "validation" | null = null,
): Promise<Run> {
  const select = evaluated === null ? null : { split: evaluated, metric: "loss", mode: "min" as const };
  const plan = { ...tinyPlan(dir), epochs: 3, batch: 6, checkpointEvery: null, select };
  const losses: number[] = [];
  const evals: Record<string, number>[] = [];
  const r = await train({
    model,
    task: { kind: "classifier", classes: 2 },
    plan,
    train: split(40, 1),
    validation: evaluated === "validation" ? split(14, 5) : null,
    padding: exactPadding(0),
    outDir: dir,
    resume: stopAt === null && readdirSync(dir).includes("checkpoint.ckpt"),
    onEvent: (e) => {
      if (e.type === "step") losses.push(e.loss);
      if (e.type === "eval") evals.push(e.metrics);
    },
    shouldStop: () => stopAt !== null && losses.length >= stopAt,
    ...(frozen ? { frozen } : {}),
  });
  expect(r.diagnostics).toEqual([]);
  const weights = model.trainableWeights.map((w) => w.read().dataSync() as Float32Array);
  const log = readFileSync(runPaths(dir).log, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Run["log"][number]);
  return { weights, losses, evals, dir, log, model };
}

describe("the frozen-prefix cache", () => {
  it("trains top-1 for 3 epochs bit for bit as the uncached run does, from memory and from disk", async () => {
    const off = await run({ layers: 2, cache: false });
    const memory = await run({ layers: 2, cache: true });
    const disk = await run({ layers: 2, cache: true, memoryBytes: 0 });
    expect(off.log.find((l) => l.event === "frozen-prefix")).toMatchObject({ cache: "off" });
    expect(memory.log.find((l) => l.event === "frozen-prefix")).toMatchObject({ cache: "memory" });
    expect(disk.log.find((l) => l.event === "frozen-prefix")).toMatchObject({ cache: "disk" });
    expect(off.losses).toHaveLength(21);
    expect(off.log.at(-1)).toMatchObject({ event: "frozen-prefix-end", computed: 21, cached: 0 });
    expect(memory.log.at(-1)).toMatchObject({ event: "frozen-prefix-end", computed: 7, cached: 14 });
    expect(disk.log.at(-1)).toMatchObject({ event: "frozen-prefix-end", computed: 7, cached: 14 });
    for (const other of [memory, disk]) {
      expect(other.losses).toEqual(off.losses);
      expect(other.weights.map((w) => Buffer.from(w.buffer))).toEqual(off.weights.map((w) => Buffer.from(w.buffer)));
    }
    expect(readdirSync(disk.dir).filter((n) => n.startsWith("frozen-cache"))).toEqual([]);
    const plain = await run(undefined);
    expect(plain.losses).not.toEqual(off.losses);
  });

  it.each([
    ["validation", { computed: 3, cached: 6 }],
    ["train", { computed: 7, cached: 35 }],
  ] as const)(
    "evaluates the %s split after each epoch from the cache, bit for bit as the uncached run does",
    async (evaluated, served) => {
      const off = await run({ layers: 2, cache: false }, undefined, null, undefined, evaluated);
      const memory = await run({ layers: 2, cache: true }, undefined, null, undefined, evaluated);
      const disk = await run({ layers: 2, cache: true, memoryBytes: 0 }, undefined, null, undefined, evaluated);
      expect(off.evals).toHaveLength(3);
      for (const other of [memory, disk]) {
        expect(other.evals).toEqual(off.evals);
        expect(other.losses).toEqual(off.losses);
      }
      const end = (r: Run): Run["log"][number] | undefined =>
        r.log.find((l) => l.event === "frozen-prefix-end" && l.split === evaluated);
      expect(end(memory)).toMatchObject(served);
      expect(end(disk)).toMatchObject(served);
      if (evaluated === "validation") {
        expect(end(off)).toMatchObject({ computed: 9, cached: 0 });
        const placed = (r: Run): string | undefined =>
          r.log.find((l) => l.event === "frozen-prefix" && l.split === "validation")?.cache;
        expect([placed(off), placed(memory), placed(disk)]).toEqual(["off", "memory", "disk"]);
      }
      expect(readdirSync(disk.dir).filter((n) => n.startsWith("frozen-cache"))).toEqual([]);
    },
  );

  it("leaves a validation cache the memory and the disk the training cache does not take", () => {
    const model = topOneModel();
    const cut = splitAt(model, 2).split!;
    const roles = inputRoles(model).value!;
    const [train, validation] = [split(20, 1).encoded, split(9, 5).encoded];
    const dir = mkdtempSync(join(tmpdir(), "adapt-frozen-"));
    const margin = 256 * 1024 * 1024;
    const placements = (memoryBytes: number, free: number): string[] => {
      const previous = files();
      useFiles(Object.create(previous, { freeBytes: { value: () => free } }) as Files);
      try {
        const first = new FrozenPrefixRunner(cut, model, roles, train, { enabled: true, memoryBytes, dir });
        const second = first.sibling(validation, "validation");
        [first, second].forEach((r) => r.close());
        return [first.placement, second.placement];
      } finally {
        useFiles(previous);
      }
    };
    const t = 16 * 4 * train.reduce((s, e) => s + e.ids.length, 0);
    const v = 16 * 4 * validation.reduce((s, e) => s + e.ids.length, 0);
    expect(placements(t + v, 0)).toEqual(["memory", "memory"]);
    expect(placements(t + v - 1, t + v + margin)).toEqual(["memory", "disk"]);
    expect(placements(0, t + v + margin)).toEqual(["disk", "disk"]);
    expect(placements(0, t + v + margin - 1)).toEqual(["disk", "off"]);
  });

  it("resumes a cached run mid-epoch bit for bit (the cache refills as the resumed steps compute it)", async () => {
    const whole = await run({ layers: 2, cache: true });
    const dir = mkdtempSync(join(tmpdir(), "adapt-frozen-"));
    const first = await run({ layers: 2, cache: true }, dir, 10);
    const rest = await run({ layers: 2, cache: true }, dir, null, first.model);
    expect([...first.losses, ...rest.losses]).toEqual(whole.losses);
    expect(rest.weights.map((w) => Buffer.from(w.buffer))).toEqual(whole.weights.map((w) => Buffer.from(w.buffer)));
    expect(rest.log.at(-1)).toMatchObject({ event: "frozen-prefix-end", computed: 7, cached: 4 });
  });

  it.each([
    ["memory", 1 << 20],
    ["disk", 0],
  ])(
    "rebuilds a batch of another composition and length from the cache (%s) exactly as computing it does",
    async (placement, memoryBytes) => {
      const model = topOneModel();
      const s = split(12, 2);
      const cut = splitAt(model, 2);
      expect(cut.reason).toBeNull();
      const roles = inputRoles(model).value!;
      const dir = mkdtempSync(join(tmpdir(), "adapt-frozen-"));
      const cache = { enabled: true, memoryBytes, dir, chunkBytes: 1024 };
      const runner = new FrozenPrefixRunner(cut.split!, model, roles, s.encoded, cache);
      const fresh = new FrozenPrefixRunner(cut.split!, model, roles, s.encoded, { ...cache, enabled: false });
      for (const idx of [
        [0, 1, 2, 3, 4, 5],
        [6, 7, 8, 9, 10, 11],
      ])
        (await runner.prepare(padBatch(s.encoded, s.labels, idx, exactPadding(0)))).dispose();
      expect(runner.placement).toBe(placement);
      const chunks = readdirSync(dir).filter((n) => /^frozen-cache\.\d+\.f32$/.test(n)).length;
      expect(placement === "disk" ? chunks > 1 : chunks === 0).toBe(true);
      const mixed = padBatch(s.encoded, s.labels, [11, 0, 5, 7], exactPadding(0));
      const a = await runner.prepare(mixed);
      const b = await fresh.prepare(mixed);
      expect([a.cached, b.cached]).toEqual([true, false]);
      const feed = feedFor(model, roles, mixed);
      const [ha, hb] = [a, b].map((p) => withSeededRandom(9, () => p.forward(feed)).dataSync());
      expect(Buffer.from(ha!.buffer)).toEqual(Buffer.from(hb!.buffer));
      [a, b].forEach((p) => p.dispose());
      runner.close();
      expect(readdirSync(dir)).toEqual([]);
    },
  );

  it("runs the prefix and the upper part as model.apply does in inference, bit for bit, leaving nothing", async () => {
    const model = topOneModel();
    const parts = splitAt(model, 2).split!;
    const s = split(6, 4);
    const batch = padBatch(s.encoded, s.labels, [0, 1, 2, 3, 4, 5], exactPadding(0));
    const feed = feedFor(model, inputRoles(model).value!, batch);
    const before = tf.memory().numTensors;
    const hidden = parts.prefix(feed);
    const upper = parts.upper(feed, hidden, false);
    const whole = model.apply(feed, { training: false }) as tf.Tensor;
    expect(await upper.data()).toEqual(await whole.data());
    tf.dispose([hidden, upper, whole]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(feed);
  });

  it("refuses to split where a layer below k trains", () => {
    const model = topOneModel();
    expect(splitAt(model, 3).reason).toBe("`encoder.layer.2.attention.self.query` below layer 3 trains");
    expect(splitAt(model, 2).split?.d).toBe(16);
  });
});
