/**
 * The backend-sensitive group: each case runs on every test backend (ADAPT_TEST_BACKENDS) and is compared
 * with the cpu backend (forward values and gradients) and with a central difference (gradients).
 */
import * as tf from "@tensorflow/tfjs";
import { expect, it } from "vitest";
import { lengthMultiple, settleDevice } from "../device.ts";
import { expectClose, expectDirectionalDerivative, forEachBackend, onBackend, read, seededTensor } from "../testing.ts";

type Case = (xs: tf.Tensor[]) => tf.Tensor;

/** The scalar whose gradients are checked: a seeded weighted sum of the case's output. */
function loss(f: Case): (xs: tf.Tensor[]) => tf.Scalar {
  return (xs) =>
    tf.tidy(() => {
      const out = f(xs);
      return out.mul(seededTensor(3, out.shape)).sum();
    });
}

/** Forward output and gradients of `f` at seeded inputs of `shapes`, on the active backend. */
async function run(f: Case, shapes: number[][]): Promise<{ value: number[]; grads: number[][] }> {
  const xs = shapes.map((s, i) => seededTensor(7 + i, s));
  const { grads } = tf.valueAndGrads((...ts: tf.Tensor[]) => loss(f)(ts))(xs);
  const out = { value: await read(f(xs)), grads: await Promise.all(grads.map((g) => read(g))) };
  xs.forEach((x) => x.dispose());
  return out;
}

function naiveMatMul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): number[] {
  const out = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) out[i * n + j]! += a[i * k + p]! * b[p * n + j]!;
  return out;
}

/** A stack like a transformer sub-layer: dense, layer norm, tanh-GELU, dense, with fixed weights. */
function denseNormGelu(xs: tf.Tensor[]): tf.Tensor {
  const [x, w1, b1, gamma, beta, w2] = xs as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
  const h = tf.add(tf.matMul(x, w1), b1);
  const { mean, variance } = tf.moments(h, -1, true);
  const n = h.sub(mean).div(variance.add(1e-6).sqrt()).mul(gamma).add(beta);
  const gelu = n.mul(0.5).mul(tf.tanh(n.add(n.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI))).add(1));
  return tf.matMul(gelu, w2);
}

/** Masked softmax attention over [batch, seq, dim] queries, keys and values. */
function attention(xs: tf.Tensor[]): tf.Tensor {
  const [q, k, v] = xs as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
  const mask = tf.tensor([0, 0, 0, 0, -1e9], [1, 1, 5]);
  const scores = tf.matMul(q, k, false, true).div(Math.sqrt(q.shape[2])).add(mask);
  return tf.matMul(tf.softmax(scores), v);
}

/**
 * Mean pooling under an int32 mask and a bool mask, each cast to float32 and summed over the sequence
 * axis (a reduction that transposes first on webgpu, which failed before webgpu-cast.ts). The mask has
 * over 1,000 elements, so webgpu runs it on the device rather than forwarding it to its cpu kernels.
 */
function maskedMeanPool(xs: tf.Tensor[]): tf.Tensor {
  const x = xs[0] as tf.Tensor3D;
  const [batch, seq] = x.shape;
  const ids = tf.tensor2d(
    Int32Array.from({ length: batch * seq }, (_, i) => Number(i % seq < 40 * (1 + ((i / seq) | 0)))),
    [batch, seq],
    "int32",
  );
  const pool = (mask: tf.Tensor): tf.Tensor => {
    const m = tf.cast(mask, "float32").expandDims(2);
    return x.mul(m).sum(1).div(m.sum(1).maximum(1));
  };
  return tf.concat([pool(ids), pool(tf.greater(ids, 0))], 1);
}

const CASES: [string, Case, number[][]][] = [
  [
    "matMul",
    ([a, b]) => tf.matMul(a!, b!),
    [
      [33, 47],
      [47, 29],
    ],
  ],
  [
    "matMul with transposes",
    ([a, b]) => tf.matMul(a!, b!, true, true).tanh(),
    [
      [47, 33],
      [29, 47],
    ],
  ],
  [
    "batched matMul",
    ([a, b]) => tf.matMul(a!, b!, false, true),
    [
      [3, 9, 16],
      [3, 7, 16],
    ],
  ],
  ["dense + layer norm + gelu", denseNormGelu, [[6, 16], [16, 24], [24], [24], [24], [24, 8]]],
  [
    "softmax attention",
    attention,
    [
      [2, 5, 8],
      [2, 5, 8],
      [2, 5, 8],
    ],
  ],
  ["masked mean pooling", maskedMeanPool, [[4, 256, 4]]],
];

/** A small classifier with fixed weights, trained one adam step by model.fit; its loss and new weights. */
async function fitOneStep(): Promise<number[]> {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [10], units: 16, activation: "relu" }),
      tf.layers.layerNormalization(),
      tf.layers.dense({ units: 3, activation: "softmax" }),
    ],
  });
  model.setWeights(model.getWeights().map((w, i) => seededTensor(50 + i, w.shape).mul(0.5)));
  model.compile({ optimizer: tf.train.adam(0.01), loss: "categoricalCrossentropy" });
  const x = seededTensor(90, [12, 10]);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2], "int32"), 3);
  const h = await model.fit(x, y, { epochs: 2, batchSize: 12, shuffle: false, verbose: 0 });
  const weights = await Promise.all(model.getWeights().map(async (w) => [...(await w.data())]));
  const out = [...(h.history["loss"] as number[]), ...weights.flat()];
  model.dispose();
  tf.dispose([x, y]);
  return out;
}

await forEachBackend((b) => {
  it("matMul equals a float64 reference", async () => {
    const a = seededTensor(1, [19, 23]);
    const c = seededTensor(2, [23, 17]);
    const expected = naiveMatMul(await a.data(), await c.data(), 19, 23, 17);
    expectClose(await read(tf.matMul(a, c)), expected, Math.max(b.tolerance.forward, 1e-6), `${b.name} matMul`);
    tf.dispose([a, c]);
  });

  for (const [name, f, shapes] of CASES) {
    it(`${name}: forward and gradients equal cpu's`, async () => {
      const ref = await onBackend("cpu", () => run(f, shapes));
      const got = await run(f, shapes);
      expectClose(got.value, ref.value, b.tolerance.forward, `${b.name} ${name} forward`);
      got.grads.forEach((g, i) => expectClose(g, ref.grads[i]!, b.tolerance.gradient, `${b.name} ${name} grad ${i}`));
    });

    it(`${name}: gradients match a central difference`, async () => {
      const xs = shapes.map((s, i) => seededTensor(7 + i, s));
      const { grads } = tf.valueAndGrads((...ts: tf.Tensor[]) => loss(f)(ts))(xs);
      await expectDirectionalDerivative(loss(f), xs, grads, `${b.name} ${name}`);
      tf.dispose([...xs, ...grads]);
    });
  }

  it("between steps: a small pool of free buffers is kept, a forced settle empties it, lengths round up on webgpu only", async () => {
    const pool = (tf.backend() as unknown as { bufferManager?: { numFreeBuffers: number } }).bufferManager;
    const kept = seededTensor(4, [64, 64]);
    for (let i = 0; i < 5; i++) tf.dispose(tf.tidy(() => kept.mul(i).add(1)));
    await read(kept.add(0));
    settleDevice();
    if (pool !== undefined) expect(pool.numFreeBuffers).toBeGreaterThan(0);
    settleDevice(true);
    if (pool !== undefined) expect(pool.numFreeBuffers).toBe(0);
    const ref = await onBackend("cpu", () => read(seededTensor(4, [64, 64])));
    expectClose(await read(kept.clone()), ref, 0, `${b.name} a tensor kept across settling`);
    expect(lengthMultiple()).toBe(b.name === "webgpu" ? 16 : 1);
    kept.dispose();
  });

  it("model.fit: two adam steps give cpu's losses and weights", async () => {
    const ref = await onBackend("cpu", fitOneStep);
    const got = await fitOneStep();
    expect(got[1]!).toBeLessThan(got[0]!);
    expectClose(got, ref, b.tolerance.gradient, `${b.name} model.fit`);
  });
});
