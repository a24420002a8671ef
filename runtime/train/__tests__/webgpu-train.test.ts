/**
 * The training loop on every test backend (ADAPT_TEST_BACKENDS; webgpu needs `eval "$(scripts/setup-webgpu)"`):
 * a tiny run end to end (steps, checkpoints, per-epoch evaluation), which on webgpu only works when every
 * number is read asynchronously. Losses must be finite and fall, the weights must move, and the trained
 * weights must match the cpu backend's within the backend's tolerance; so must global-norm clipping of
 * many gradients. The artifact fingerprint (an asynchronous read of every weight) must match cpu's exactly.
 */
import { exactPadding } from "../../tokenize/batches.ts";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { expect, it } from "vitest";
import { fingerprint } from "../../artifact/fingerprint.ts";
import type { BackendName } from "../../backend/types.ts";
import { expectClose, forEachBackend, onBackend, read, seededTensor } from "../../backend/testing.ts";
import { clipByGlobalNorm } from "../optimizer.ts";
import { train } from "../trainer.ts";
import { tinyModel, tinyPlan, tinySplit } from "./fixtures/tiny-run.ts";

/** Largest allowed weight error against cpu after the run, relative to max(1, |cpu weight|). */
const WEIGHT_TOLERANCE: Readonly<Record<BackendName, number>> = { cpu: 0, wasm: 1e-4, webgpu: 1e-3, tensorflow: 1e-3 };

interface TinyRun {
  readonly before: number[];
  readonly after: number[];
  readonly losses: number[];
  readonly status: string;
}

async function weightsOf(model: tf.LayersModel): Promise<number[]> {
  const arrays = await Promise.all(model.trainableWeights.map((w) => w.read().data()));
  return arrays.flatMap((a) => [...a]);
}

/**
 * Two epochs of 8 steps on the active backend, with clipping, checkpoints and an evaluation per epoch.
 * The embedding is frozen, as under adapters (wasm has no `UnsortedSegmentSum`, an embedding's gradient).
 */
async function tinyRun(): Promise<TinyRun> {
  const dir = mkdtempSync(join(tmpdir(), "adapt-backend-train-"));
  const model = tinyModel(11);
  model.getLayer("emb").trainable = false;
  const before = await weightsOf(model);
  const losses: number[] = [];
  const plan = { ...tinyPlan(dir), epochs: 2, select: null, clipNorm: 0.5 };
  const r = await train({
    model,
    task: { kind: "classifier", classes: 2 },
    plan,
    train: tinySplit(64, 1),
    validation: tinySplit(16, 2),
    padding: exactPadding(0),
    outDir: dir,
    resume: false,
    onEvent: (e) => void (e.type === "step" && losses.push(e.loss)),
  });
  const out = {
    before,
    after: await weightsOf(model),
    losses,
    status: r.value?.status ?? r.diagnostics.map((d) => d.message).join("; "),
  };
  model.dispose();
  return out;
}

/**
 * The fingerprint of the tiny model after each weight went through a matmul with the identity on the
 * active backend (exact anywhere; a matmul is never handed to the CPU, so the values live on the device).
 */
async function onDeviceFingerprint(): Promise<Awaited<ReturnType<typeof fingerprint>>> {
  const model = tinyModel(3);
  model.weights.forEach((w) => {
    const n = w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
    w.write(tf.tidy(() => tf.matMul(w.read().reshape([1, n]), tf.eye(n)).reshape(w.shape as number[])));
  });
  const print = await fingerprint(model);
  model.dispose();
  return print;
}

/** The global norm of 12 seeded gradients (more than a webgpu kernel may bind) and the clipped values. */
async function clipTwelve(): Promise<number[]> {
  const grads = Array.from({ length: 12 }, (_, i) => seededTensor(40 + i, [3 + i, 5]));
  const { grads: clipped, norm } = clipByGlobalNorm(grads, 1);
  const out = await read(norm, ...clipped);
  grads.forEach((g) => g.dispose());
  return out;
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

await forEachBackend((backend) => {
  it("trains a tiny model end to end: finite falling losses, moved weights, cpu's weights", async () => {
    const run = await tinyRun();
    expect(run.status).toBe("done");
    expect(run.losses).toHaveLength(16);
    expect(run.losses.every(Number.isFinite)).toBe(true);
    expect(mean(run.losses.slice(8))).toBeLessThan(mean(run.losses.slice(0, 8)));
    expect(Math.max(...run.after.map((w, i) => Math.abs(w - run.before[i]!)))).toBeGreaterThan(1e-3);
    const cpu = await onBackend("cpu", tinyRun);
    expectClose(run.before, cpu.before, 0, `${backend.name} initial weights`);
    expectClose(run.losses, cpu.losses, WEIGHT_TOLERANCE[backend.name], `${backend.name} losses`);
    expectClose(run.after, cpu.after, WEIGHT_TOLERANCE[backend.name], `${backend.name} trained weights`);
  });

  it("clips many gradients by their global norm as cpu does", async () => {
    const here = await clipTwelve();
    expect(here[0]!).toBeGreaterThan(1);
    expectClose(
      here,
      await onBackend("cpu", clipTwelve),
      backend.tolerance.forward,
      `${backend.name} clipped gradients`,
    );
  });

  it("fingerprints weights computed on the device exactly as cpu does", async () => {
    const here = await onDeviceFingerprint();
    const cpu = await onBackend("cpu", onDeviceFingerprint);
    expect(here).toEqual(cpu);
  });
});
