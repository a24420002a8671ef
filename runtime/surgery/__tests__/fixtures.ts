/**
 * Small real tfjs models and hand-written IR for the runtime tests: a two-layer BERT-shaped encoder
 * (dense sites, residual adds, LayerNorms), a model with a shared layer, and a Sequential model.
 */
import { sha256 } from "../../../compiler/lower/sha256.ts";
import * as tf from "@tensorflow/tfjs";
import type { AdapterKind, CompiledPlan, SurgeryOp, WeightTrainability } from "../../../compiler/ir/types.ts";
import { layerNormalization } from "../../layers/layer-norm.ts";
import { buildOp } from "../../../compiler/lower/lower.ts";
import { kindNamed } from "../../../compiler/kinds/registry.ts";

/** Feature size of the test encoder. */
export const D = 8;

/** An encoder on [batch, 4, d] (2 layers, d = 8 unless told) whose layer paths follow Hugging Face's BERT names. */
export function tinyEncoder(seed = 1, layers = 2, D = 8): tf.LayersModel {
  const input = tf.input({ shape: [4, D], name: "input" });
  let h: tf.SymbolicTensor = input;
  for (let i = 0; i < layers; i++) {
    const p = `encoder.layer.${i}`;
    const init = (k: number) => tf.initializers.glorotUniform({ seed: seed * 100 + i * 10 + k });
    const attn = tf.layers
      .dense({ units: D, name: `${p}.attention.output.dense`, kernelInitializer: init(1), biasInitializer: "ones" })
      .apply(h) as tf.SymbolicTensor;
    const a = tf.layers.add({ name: `${p}.attention.add` }).apply([attn, h]) as tf.SymbolicTensor;
    const n1 = layerNormalization({ name: `${p}.attention.output.LayerNorm`, epsilon: 1e-3 }).apply(
      a,
    ) as tf.SymbolicTensor;
    const inter = tf.layers
      .dense({ units: 2 * D, activation: "gelu", name: `${p}.intermediate.dense`, kernelInitializer: init(2) })
      .apply(n1) as tf.SymbolicTensor;
    const out = tf.layers
      .dense({ units: D, name: `${p}.output.dense`, kernelInitializer: init(3) })
      .apply(inter) as tf.SymbolicTensor;
    const b = tf.layers.add({ name: `${p}.output.add` }).apply([out, n1]) as tf.SymbolicTensor;
    h = layerNormalization({ name: `${p}.output.LayerNorm`, epsilon: 1e-3 }).apply(b) as tf.SymbolicTensor;
  }
  return tf.model({ inputs: input, outputs: h, name: "tiny" });
}

/** A model that calls the Dense layer `shared` twice (two inbound nodes) and concatenates. */
export function sharedModel(): tf.LayersModel {
  const a = tf.input({ shape: [D], name: "a" });
  const b = tf.input({ shape: [D], name: "b" });
  const shared = tf.layers.dense({
    units: D,
    name: "shared",
    kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }),
  });
  const ya = shared.apply(a) as tf.SymbolicTensor;
  const yb = shared.apply(b) as tf.SymbolicTensor;
  const out = tf.layers.concatenate({ name: "concat" }).apply([ya, yb]) as tf.SymbolicTensor;
  return tf.model({ inputs: [a, b], outputs: out, name: "shared_model" });
}

/** A Sequential model of two Dense layers. */
export function sequentialModel(): tf.Sequential {
  const m = tf.sequential({ name: "seq" });
  m.add(
    tf.layers.dense({
      units: D,
      inputShape: [D],
      activation: "relu",
      name: "fc1",
      kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
    }),
  );
  m.add(tf.layers.dense({ units: 3, name: "fc2", kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }));
  return m;
}

/** Options of a hand-written operation. */
export interface OpOptions {
  position?: SurgeryOp["position"];
  d?: number;
  size?: number;
  kernelShape?: [number, number] | null;
  activation?: string;
  init?: { kind: "near_identity" | "zeros"; std: number };
  scale?: number;
  adapter?: string;
}

/** A hand-written IR operation (what the compiler would produce). */
export function op(kind: AdapterKind, site: string, o: OpOptions = {}): SurgeryOp {
  const def = kindNamed(kind)!;
  const args = {
    init: o.init ?? { kind: "zeros", std: 0 },
    ...(o.activation !== undefined ? { activation: o.activation } : {}),
    ...(o.scale !== undefined ? { scale: o.scale } : {}),
    ...(kind === "lora" ? { alpha: (o.scale ?? 1) * (o.size ?? 2) } : {}),
  };
  return buildOp({
    adapter: o.adapter ?? kind,
    kind,
    site,
    layerIndex: null,
    d: o.d ?? D,
    position:
      o.position ?? (def.level === "weight" ? "weight" : def.positions[0] === "parallel" ? "parallel" : "after"),
    size: def.sizeArg === null ? null : (o.size ?? 2),
    kernelShape: def.target === "dense" ? (o.kernelShape ?? [D, D]) : null,
    args,
    source: { line: 3, column: 1, endLine: 3, endColumn: 20 },
  });
}

/** Trainability of every base weight (frozen unless `train` names it) and every added weight (trained). */
export function trainability(
  model: tf.LayersModel,
  ops: readonly SurgeryOp[],
  train: readonly string[] = [],
): WeightTrainability[] {
  const base: WeightTrainability[] = model.weights.map((w) => ({
    name: w.originalName,
    owner: "base",
    layer: w.originalName.split("/")[0] ?? "",
    shape: w.shape as number[],
    params: w.shape.reduce((a: number, b) => a * (b ?? 1), 1),
    trainable: train.includes(w.originalName),
    rule: null,
  }));
  const added: WeightTrainability[] = ops.flatMap((o) =>
    o.weights.map((w) => ({
      name: w.name,
      owner: "adapter" as const,
      layer: w.name.split("/")[0] ?? "",
      shape: w.shape,
      params: w.shape.reduce((a, b) => a * b, 1),
      trainable: true,
      rule: null,
    })),
  );
  return [...base, ...added];
}

/** A whole hand-written plan for `model` with `ops`. */
export function planFor(model: tf.LayersModel, ops: SurgeryOp[], train: readonly string[] = []): CompiledPlan {
  const weights = trainability(model, ops, train);
  const base = model.countParams();
  const added = ops.reduce((n, o) => n + o.params, 0);
  return {
    version: 1,
    spec: { file: "test.adapt", sha256: sha256("# test\n"), text: "# test\n" },
    model: { path: "model.json", className: model.getClassName(), fingerprint: "0".repeat(64), params: base },
    operations: ops,
    weights,
    head: null,
    plan: null,
    totals: { base, added, head: 0, trainable: added, trainablePercent: (added / base) * 100 },
  };
}

/** A deterministic input batch for `model` (float inputs only). */
export function inputsFor(model: tf.LayersModel, batch = 3): tf.Tensor[] {
  return model.inputs.map((t, i) =>
    tf.randomNormal([batch, ...(t.shape.slice(1) as number[])], 0, 1, "float32", 11 + i),
  );
}

/** The largest absolute difference between two models' outputs on `xs`. */
export function maxDiff(a: tf.LayersModel, b: tf.LayersModel, xs: tf.Tensor[]): number {
  return tf.tidy(() => {
    const ya = [a.predict(xs)].flat() as tf.Tensor[];
    const yb = [b.predict(xs)].flat() as tf.Tensor[];
    return Math.max(...ya.map((y, i) => tf.max(tf.abs(tf.sub(y, yb[i] as tf.Tensor))).dataSync()[0] as number));
  });
}
