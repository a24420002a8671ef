/**
 * Training-step cost side by side, in one run: full fine-tuning (every encoder weight; the embeddings
 * stay frozen because tfjs's CPU gather gradient, UnsortedSegmentSum, alone costs seconds) against an adapter step (Houlsby
 * bottlenecks after every attention-output and output dense, m = 64 / 8·d) with frozen Dense layers as
 * tfjs's own `tf.layers.dense` and as the FrozenDense fast path (no kernel gradients); then one frozen
 * dense layer's backward pass alone, both ways; one LayerNormalization's forward and backward pass, tfjs's
 * (which tiles) against runtime/layers/layer-norm.ts (which broadcasts). Prints ms per step (median), peak tensor memory, and the
 * ratios. Columns are backends, side by side in one run: cpu, wasm, tensorflow (tfjs-node, when built) and
 * webgpu (taken even on a software adapter such as lavapipe); an unavailable one is named and skipped.
 * Every step ends with a read of its result, so asynchronous backends (webgpu) are timed to completion,
 * and on webgpu the between-step housekeeping of `adapt run` (runtime/backend/device.ts) runs untimed.
 * Usage: `npx tsx bench/step.ts [reps] [layers] [hidden] [batch] [seq] [--backends cpu,wasm,tensorflow,webgpu]`
 * (defaults 3 2 128 8 32: small, since the CPU backend is slow).
 */
import "./relaxed-simd.ts";
import * as tf from "@tensorflow/tfjs";
import type { CompiledPlan, SurgeryOp, WeightTrainability } from "../compiler/ir/types.ts";
import { buildBert } from "../runtime/bert/builder.ts";
import { settleDevice } from "../runtime/backend/device.ts";
import { selectBackend } from "../runtime/backend/select.ts";
import { FrozenDense, layerNormalization } from "../runtime/layers/index.ts";
import { applySurgery } from "../runtime/surgery/apply.ts";
import { buildOp } from "../compiler/lower/lower.ts";
import { attachHead } from "../runtime/train/head.ts";
import { Optimizer } from "../runtime/train/optimizer.ts";
import { trainStep as adaptStep, trainableVariables } from "../runtime/train/step.ts";

const flagAt = process.argv.indexOf("--backends");
const BACKENDS = (flagAt >= 0 ? (process.argv[flagAt + 1] ?? "") : "cpu,wasm,tensorflow,webgpu")
  .split(",")
  .filter((s) => s !== "");
const POSITIONAL = process.argv
  .slice(2)
  .filter((_, i, all) => !all[i]!.startsWith("--") && all[i - 1] !== "--backends");
const REPS = Number(POSITIONAL[0] ?? 3);
const LAYERS = Number(POSITIONAL[1] ?? 2);
const HIDDEN = Number(POSITIONAL[2] ?? 128);
const [BATCH, SEQ, M] = [Number(POSITIONAL[3] ?? 8), Number(POSITIONAL[4] ?? 32), Math.max(8, HIDDEN / 8)];

/** A backend column: its name and an async switch to it (the reason when unavailable). */
export interface Column {
  name: string;
  setup: () => Promise<string | null>;
}

/** The backends measured, from `--backends`. */
export const COLUMNS: Column[] = BACKENDS.map((name) => ({
  name,
  setup: async () => {
    const r = await selectBackend(name, { allowSoftwareGpu: true });
    if (r.value !== undefined) return null;
    return r.diagnostics.map((d) => `${d.code}: ${d.message}`).join("; ");
  },
}));

/** Reads a scalar, so that the step is timed to its completion on asynchronous backends. */
async function settle(t: tf.Tensor): Promise<void> {
  await t.data();
  t.dispose();
}

/** One row: a name, the group whose first row is the ratios' reference, and a step-function factory. */
interface Row {
  name: string;
  group: string;
  make: () => () => Promise<void>;
}

function houlsbyOps(): SurgeryOp[] {
  return Array.from({ length: LAYERS }, (_, i) => [
    `encoder.layer.${i}.attention.output.dense`,
    `encoder.layer.${i}.output.dense`,
  ])
    .flat()
    .map((site) =>
      buildOp({
        adapter: "houlsby",
        kind: "bottleneck",
        site,
        position: "after",
        layerIndex: null,
        d: HIDDEN,
        kernelShape: null,
        size: M,
        args: { activation: "gelu", init: { kind: "near_identity", std: 0.01 } },
        source: { line: 1, column: 1, endLine: 1, endColumn: 1 },
      }),
    );
}

function planOf(
  model: tf.LayersModel,
  ops: SurgeryOp[],
  trainAll: boolean,
): Pick<CompiledPlan, "operations" | "weights"> {
  const w = (
    name: string,
    shape: number[],
    owner: WeightTrainability["owner"],
    trainable: boolean,
  ): WeightTrainability => ({
    name,
    owner,
    layer: name.split("/")[0] ?? "",
    shape,
    params: shape.reduce((a, b) => a * b, 1),
    trainable,
    rule: null,
  });
  const trains = (name: string): boolean => trainAll && !name.startsWith("embeddings.");
  const base = model.weights.map((v) => w(v.originalName, v.shape as number[], "base", trains(v.originalName)));
  return {
    operations: ops,
    weights: [...base, ...ops.flatMap((o) => o.weights.map((a) => w(a.name, a.shape, "adapter", true)))],
  };
}

function encoder(): tf.LayersModel {
  return buildBert({
    vocabSize: 1000,
    hiddenSize: HIDDEN,
    numHiddenLayers: LAYERS,
    numAttentionHeads: 4,
    intermediateSize: 4 * HIDDEN,
    hiddenAct: "gelu",
    maxPositionEmbeddings: SEQ,
    typeVocabSize: 2,
    layerNormEps: 1e-12,
    hiddenDropoutProb: 0,
  });
}

function trainStep(model: tf.LayersModel): () => Promise<void> {
  const ids = tf.randomUniformInt([BATCH, SEQ], 0, 1000, 1);
  const mask = tf.onesLike(ids);
  const types = tf.zerosLike(ids);
  const target = tf.randomNormal([BATCH, SEQ, HIDDEN], 0, 1, "float32", 2);
  const opt = tf.train.adam(1e-4);
  const vars = model.trainableWeights.map((v) => v.read() as tf.Variable);
  return () =>
    settle(
      tf.tidy(() =>
        opt.minimize(
          () =>
            tf.losses.meanSquaredError(
              target,
              [model.apply([ids, mask, types], { training: true })].flat()[0] as tf.Tensor,
            ) as tf.Scalar,
          true,
          vars,
        )!,
      ),
    );
}

function adapted(fast: boolean, trainAll: boolean): tf.LayersModel {
  const base = encoder();
  const ops = trainAll ? [] : houlsbyOps();
  const r = applySurgery(base, planOf(base, ops, trainAll), { fastFrozenDense: fast });
  if (r.value === null) throw new Error(r.diagnostics.map((d) => d.message).join("; "));
  base.dispose();
  return r.value;
}

function denseBackward(fast: boolean): () => Promise<void> {
  const x = tf.randomNormal([BATCH * SEQ, HIDDEN], 0, 1, "float32", 3);
  const layer = fast
    ? new FrozenDense({ name: "f", units: 4 * HIDDEN })
    : tf.layers.dense({ units: 4 * HIDDEN, name: "d" });
  layer.apply(x);
  for (const w of layer.weights) w.trainable = false;
  return () => settle(tf.tidy(() => tf.sum(tf.grad((t: tf.Tensor) => tf.sum(layer.apply(t) as tf.Tensor))(x))));
}

/** One LayerNormalization's forward and backward pass on a [batch, seq, hidden] input: tfjs's or ours. */
function normStep(broadcasting: boolean): () => Promise<void> {
  const x = tf.randomNormal([BATCH, SEQ, HIDDEN], 0, 1, "float32", 5);
  const layer = broadcasting
    ? layerNormalization({ name: "ours", epsilon: 1e-12 })
    : tf.layers.layerNormalization({ name: "stock", epsilon: 1e-12 });
  layer.apply(x);
  const vars = layer.trainableWeights.map((v) => (v as unknown as { val: tf.Variable }).val);
  return () =>
    settle(
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(x) as tf.Tensor)), vars);
        return tf.addN([value, ...Object.values(grads).map((g) => tf.sum(g))]);
      }),
    );
}

/** The adapter model with a 2-class head, and one fixed batch for it (the "loop" group's rows). */
function classifier(): { model: tf.LayersModel; ids: tf.Tensor2D; labels: tf.Tensor1D } {
  const head = {
    kind: "classifier" as const,
    classes: 2,
    pool: "cls" as const,
    dropout: 0,
    input: "",
    d: HIDDEN,
    params: 0,
    weights: [],
  };
  const model = attachHead(adapted(true, false), head, 1);
  return {
    model,
    ids: tf.randomUniformInt([BATCH, SEQ], 0, 1000, 4),
    labels: tf.tensor1d(
      Array.from({ length: BATCH }, (_, i) => i % 2),
      "float32",
    ),
  };
}

/** A hand-written loop: tf.train.adam's minimize over the trainable variables. */
function optimalLoop(): () => Promise<void> {
  const { model, ids, labels } = classifier();
  const opt = tf.train.adam(1e-4);
  const vars = trainableVariables(model);
  const onehot = tf.oneHot(labels.toInt(), 2);
  return () =>
    settle(
      tf.tidy(() =>
        opt.minimize(
          () =>
            tf.losses.softmaxCrossEntropy(
              onehot,
              model.apply([ids, tf.onesLike(ids), tf.zerosLike(ids)], { training: true }) as tf.Tensor,
            ) as tf.Scalar,
          true,
          vars,
        )!,
      ),
    );
}

/** `adapt run`'s step (runtime/train/step.ts): variableGrads, global-norm clipping, its own AdamW. */
function adaptRunLoop(): () => Promise<void> {
  const { model, ids, labels } = classifier();
  const vars = trainableVariables(model);
  const config = {
    kind: "adamw" as const,
    lr: 1e-4,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
    weightDecay: 0.01,
    momentum: 0,
  };
  const ctx = {
    model,
    roles: ["ids", "mask", "types"] as const,
    task: { kind: "classifier" as const, classes: 2 },
    probabilities: false,
    vars,
    optimizer: new Optimizer(config, vars),
    clipNorm: 1,
    seed: 1,
  };
  const idData = ids.dataSync() as Int32Array;
  const batch = {
    ids: idData,
    mask: new Int32Array(idData.length).fill(1),
    typeIds: new Int32Array(idData.length),
    labels: labels.dataSync() as Float32Array,
    size: BATCH,
    length: SEQ,
    indices: [],
  };
  let step = 0;
  return async () => void (await adaptStep(ctx, batch, 1e-4, step++));
}

/** The naive tfjs-layers loop: trainable flags, compile, and model.fit on the batch. */
function naiveFitLoop(): () => Promise<void> {
  const { model, ids, labels } = classifier();
  model.compile({
    optimizer: tf.train.adam(1e-4),
    loss: (y: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, p),
  });
  const onehot = tf.oneHot(labels.toInt(), 2);
  return async () => {
    await model.fit([ids, tf.onesLike(ids), tf.zerosLike(ids)], onehot, { batchSize: BATCH, epochs: 1, verbose: 0 });
  };
}

const ROWS: Row[] = [
  { group: "step", name: "full fine-tuning (embeddings frozen)", make: () => trainStep(adapted(false, true)) },
  { group: "step", name: "adapter, frozen tf.layers.dense", make: () => trainStep(adapted(false, false)) },
  { group: "step", name: "adapter, FrozenDense fast path", make: () => trainStep(adapted(true, false)) },
  { group: "dense", name: "frozen dense backward, tf.layers.dense", make: () => denseBackward(false) },
  { group: "dense", name: "frozen dense backward, FrozenDense", make: () => denseBackward(true) },
  { group: "norm", name: "layer norm fwd+bwd, tfjs's (tiles)", make: () => normStep(false) },
  { group: "norm", name: "layer norm fwd+bwd, broadcasting (ours)", make: () => normStep(true) },
  { group: "loop", name: "hand-written loop (adam.minimize), +head", make: optimalLoop },
  { group: "loop", name: "adapt run's step (variableGrads+clip+AdamW)", make: adaptRunLoop },
  { group: "loop", name: "naive tfjs-layers loop (model.fit)", make: naiveFitLoop },
];

interface Cell {
  ms: number;
  peakMB: number;
}

async function measure(steps: (() => Promise<void>)[]): Promise<Cell[]> {
  const times: number[][] = steps.map(() => []);
  const peaks: number[] = [];
  for (const [i, step] of steps.entries()) {
    process.stderr.write(`  warm-up ${ROWS[i]?.name}\n`);
    await step();
    peaks.push((await tf.profile(async () => void (await step()))).peakBytes / 2 ** 20);
    settleDevice();
  }
  for (let r = 0; r < REPS; r++) {
    for (const [i, step] of steps.entries()) {
      const t0 = performance.now();
      await step();
      times[i]!.push(performance.now() - t0);
      settleDevice();
    }
  }
  return times.map((t, i) => ({ ms: t.sort((a, b) => a - b)[Math.floor(t.length / 2)]!, peakMB: peaks[i]! }));
}

async function main(): Promise<void> {
  console.log(
    `bench/step: BERT-style encoder, ${LAYERS} layers, hidden ${HIDDEN}, batch ${BATCH} x ${SEQ} tokens, Houlsby m = ${M}; median of ${REPS}`,
  );
  const results = new Map<string, Cell[]>();
  for (const col of COLUMNS) {
    const unavailable = await col.setup();
    if (unavailable !== null) {
      console.log(`(${col.name}: unavailable: ${unavailable})`);
      continue;
    }
    process.stderr.write(`${col.name}: building models\n`);
    const steps = ROWS.map((r) => r.make());
    results.set(col.name, await measure(steps));
  }
  const cols = [...results.keys()];
  const width = Math.max(...ROWS.map((r) => r.name.length));
  console.log(
    `${"".padEnd(width)}  ${cols.map((c) => `${`${c} ms/step`.padStart(18)}  ${"peak MB".padStart(8)}  ${"ratio".padStart(6)}  `).join("")}`,
  );
  ROWS.forEach((row, i) => {
    const ref = ROWS.findIndex((r) => r.group === row.group);
    const cells = cols.map((c) => {
      const cell = results.get(c)![i]!;
      const ratio = cell.ms / results.get(c)![ref]!.ms;
      return `${cell.ms.toFixed(1).padStart(18)}  ${cell.peakMB.toFixed(1).padStart(8)}  ${ratio.toFixed(2).padStart(6)}  `;
    });
    console.log(`${row.name.padEnd(width)}  ${cells.join("")}`);
  });
  const fastRow = ROWS.findIndex((r) => r.name.includes("FrozenDense fast path"));
  const base = cols.includes("wasm") ? "wasm" : cols[0]!;
  const across = cols.map(
    (c) => `${c} ${(results.get(c)![fastRow]!.ms / results.get(base)![fastRow]!.ms).toFixed(2)}x`,
  );
  console.log(`adapter step (FrozenDense) time relative to ${base}: ${across.join(", ")}`);
  for (const c of cols) {
    const r = results.get(c)!;
    const [full, slow, fast, d0, d1, n0, n1] = r.map((x) => x.ms) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const [opt, mine, fit] = r.slice(7).map((x) => x.ms) as [number, number, number];
    console.log(`${c}: layer norm fwd+bwd tfjs's / ours = ${(n0 / n1).toFixed(2)}x`);
    console.log(
      `${c}: adapt run step / hand-written adam.minimize loop = ${(mine / opt).toFixed(2)}x; naive model.fit / adapt run step = ${(fit / mine).toFixed(2)}x`,
    );
    console.log(
      `${c}: adapter step tf.layers.dense / FrozenDense = ${(slow / fast).toFixed(2)}x; full fine-tuning / adapter (FrozenDense) = ${(full / fast).toFixed(2)}x; frozen dense backward tf.layers.dense / FrozenDense = ${(d0 / d1).toFixed(2)}x`,
    );
  }
}

await main();
