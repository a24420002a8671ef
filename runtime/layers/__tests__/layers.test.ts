import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { BottleneckAdapter, FrozenDense, Ia3Adapter, LoraAdapter, ParallelAdapter } from "../index.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const h = () => tf.randomNormal([2, 3, 8], 0, 1, "float32", 1);
const absMax = (t: tf.Tensor): number => tf.max(tf.abs(t)).dataSync()[0] as number;
const weight = (l: tf.layers.Layer, suffix: string): tf.Tensor => {
  const w = l.weights.find((v) => v.originalName.endsWith(suffix));
  if (w === undefined) throw new Error(`no weight ${suffix}`);
  return w.read();
};

describe("adapter layers", () => {
  it("bottleneck with zeros init is exactly the identity; near_identity is close and truncated", () => {
    const zero = new BottleneckAdapter({
      name: "a",
      d: 8,
      size: 4,
      activation: "gelu",
      init: { kind: "zeros", std: 0 },
    });
    const x = h();
    expect(absMax(tf.sub(zero.apply(x) as tf.Tensor, x))).toBe(0);
    const near = new BottleneckAdapter({
      name: "b",
      d: 8,
      size: 64,
      activation: "relu",
      init: { kind: "near_identity", std: 0.01 },
      seed: 3,
    });
    const dev = absMax(tf.sub(near.apply(x) as tf.Tensor, x));
    expect(dev).toBeGreaterThan(0);
    expect(dev).toBeLessThan(0.01);
    expect(absMax(weight(near, "down/kernel"))).toBeLessThanOrEqual(0.02);
    expect(absMax(weight(near, "up/kernel"))).toBeLessThanOrEqual(0.02);
    expect(absMax(weight(near, "down/bias"))).toBe(0);
    expect(near.countParams()).toBe(2 * 64 * 8 + 8 + 64);
  });

  it("parallel adds the scaled branch of the input to the output", () => {
    const p = new ParallelAdapter({
      name: "p",
      d: 8,
      size: 2,
      activation: "linear",
      init: { kind: "near_identity", std: 0.3 },
      scale: 3,
      seed: 1,
    });
    const x = h();
    const y = tf.zerosLike(x);
    const out = p.apply([x, y]) as tf.Tensor;
    const one = new ParallelAdapter({
      name: "q",
      d: 8,
      size: 2,
      activation: "linear",
      init: { kind: "near_identity", std: 0.3 },
      scale: 1,
      seed: 1,
    });
    const out1 = one.apply([x, y]) as tf.Tensor;
    expect(absMax(tf.sub(out, tf.mul(out1, 3)))).toBeLessThan(1e-6);
    expect(absMax(out1)).toBeGreaterThan(0);
  });

  it("lora starts with B = 0 and adds scale·x·A·B", () => {
    const l = new LoraAdapter({ name: "l", nIn: 8, nOut: 5, rank: 2, scale: 4, dropout: 0, seed: 2 });
    const x = h();
    const base = tf.randomNormal([2, 3, 5], 0, 1, "float32", 9);
    expect(absMax(tf.sub(l.apply([x, base]) as tf.Tensor, base))).toBe(0);
    expect(absMax(weight(l, "lora_B"))).toBe(0);
    const b = tf.randomNormal([2, 5], 0, 1, "float32", 4);
    l.setWeights([weight(l, "lora_A"), b]);
    const expected = tf.add(
      base,
      tf.mul(tf.matMul(tf.reshape(x, [6, 8]), tf.matMul(weight(l, "lora_A"), b)).reshape([2, 3, 5]), 4),
    );
    expect(absMax(tf.sub(l.apply([x, base]) as tf.Tensor, expected))).toBeLessThan(1e-5);
  });

  it("ia3 starts at 1 and scales channels", () => {
    const l = new Ia3Adapter({ name: "i", d: 8 });
    const x = h();
    expect(absMax(tf.sub(l.apply(x) as tf.Tensor, x))).toBe(0);
    l.setWeights([tf.fill([8], 2)]);
    expect(absMax(tf.sub(l.apply(x) as tf.Tensor, tf.mul(x, 2)))).toBe(0);
  });

  it("round-trips every adapter through getConfig and the serialization registry", () => {
    const layers = [
      new BottleneckAdapter({
        name: "a",
        d: 8,
        size: 4,
        activation: "silu",
        init: { kind: "near_identity", std: 0.02 },
        seed: 5,
      }),
      new LoraAdapter({ name: "l", nIn: 8, nOut: 5, rank: 2, scale: 4, dropout: 0.1, activation: "gelu" }),
      new Ia3Adapter({ name: "i", d: 8 }),
      new FrozenDense({ name: "f", units: 3, activation: "tanh" }),
    ];
    for (const layer of layers) {
      const entry = tf.serialization.SerializationMap.getMap().classNameMap[layer.getClassName()];
      expect(entry).toBeDefined();
      const [cls, fromConfig] = entry!;
      const copy = fromConfig(cls, layer.getConfig()) as tf.layers.Layer;
      expect(copy.getConfig()).toEqual(layer.getConfig());
    }
  });
});

describe("FrozenDense", () => {
  const setup = () => {
    const dense = tf.layers.dense({
      units: 6,
      activation: "linear",
      name: "d",
      kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      biasInitializer: "ones",
    });
    const frozen = new FrozenDense({ name: "f", units: 6, activation: "linear" });
    const x = tf.randomNormal([4, 3, 5], 0, 1, "float32", 2);
    dense.apply(x);
    frozen.apply(x);
    frozen.setWeights(dense.getWeights());
    return { dense, frozen, x };
  };

  it("computes what Dense computes", () => {
    const { dense, frozen, x } = setup();
    expect(absMax(tf.sub(dense.apply(x) as tf.Tensor, frozen.apply(x) as tf.Tensor))).toBe(0);
  });

  it("gives the input the same gradient and the frozen kernel none", () => {
    const { dense, frozen, x } = setup();
    for (const w of frozen.weights) w.trainable = false;
    const gd = tf.grad((t: tf.Tensor) => tf.sum(tf.square(dense.apply(t) as tf.Tensor)))(x);
    const gf = tf.grad((t: tf.Tensor) => tf.sum(tf.square(frozen.apply(t) as tf.Tensor)))(x);
    expect(absMax(tf.sub(gd, gf))).toBeLessThan(1e-5);
    expect(frozen.kernelFrozen).toBe(true);
  });

  it("runs one matMul fewer in the backward pass than Dense (no kernel gradient)", async () => {
    const { dense, frozen, x } = setup();
    for (const l of [dense, frozen]) for (const w of l.weights) w.trainable = false;
    const matMuls = async (layer: tf.layers.Layer): Promise<number> => {
      const info = await tf.profile(() => tf.grad((t: tf.Tensor) => tf.sum(layer.apply(t) as tf.Tensor))(x));
      return info.kernels.filter((k) => k.name === "BatchMatMul" || k.name === "_FusedMatMul").length;
    };
    const nDense = await matMuls(dense);
    const nFrozen = await matMuls(frozen);
    expect(nFrozen).toBe(2);
    expect(nDense).toBeGreaterThan(nFrozen);
  });

  it("trains its kernel again when the kernel is trainable", () => {
    const { frozen, x } = setup();
    expect(frozen.kernelFrozen).toBe(false);
    const vars = frozen.weights.map((w) => w.read() as tf.Variable);
    const { grads } = tf.variableGrads(() => tf.sum(frozen.apply(x) as tf.Tensor) as tf.Scalar, vars);
    expect(Object.keys(grads).length).toBe(2);
  });
});
