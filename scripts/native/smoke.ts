/**
 * Smoke test of the native TensorFlow backend: loads tfjs-node (the installed one, or the copy at the
 * folder given), checks that `tensorflow` is the active backend and runs a matMul and one gradient step
 * of the adapter layer (loss, every gradient, the weights after an SGD step) on it and on a reference
 * backend (wasm, else cpu), with the same seeded inputs. Exit status 0 when all agree within TOLERANCE.
 *
 * Usage: npx tsx scripts/native/smoke.ts [TFJS_NODE_DIR]
 */
import * as tf from "@tensorflow/tfjs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { tryWasm } from "../../runtime/backend/wasm.ts";
import { createAdapterLayer, disposeLayer, loss, seededValues, type LayerSizes } from "./adapter-layer.ts";

/** Largest allowed difference against the reference, relative to max(1, |reference|). */
export const TOLERANCE = 1e-4;

/** A tiny adapter layer: enough to exercise attention, LayerNorm, GELU and the adapters. */
export const SMOKE_LAYER: LayerSizes = { hidden: 32, heads: 4, bottleneck: 8, seq: 8, batch: 2 };

/** What one backend computed. */
export interface SmokeValues {
  readonly matMul: Float32Array;
  readonly loss: number;
  readonly grads: Readonly<Record<string, Float32Array>>;
  readonly stepped: Readonly<Record<string, Float32Array>>;
}

/** One compared quantity and its largest relative difference. */
export interface SmokeCheck {
  readonly what: string;
  readonly maxError: number;
  readonly ok: boolean;
}

/** Computes the smoke values on the active backend. */
export function smokeValues(): SmokeValues {
  const a = tf.tensor2d(seededValues(11, 64 * 48, 1), [64, 48]);
  const b = tf.tensor2d(seededValues(12, 48 * 32, 1), [48, 32]);
  const product = tf.matMul(a, b);
  const matMul = product.dataSync() as Float32Array;
  tf.dispose([a, b, product]);
  const layer = createAdapterLayer(SMOKE_LAYER, 3);
  const { value, grads } = tf.variableGrads(() => loss(layer), Object.values(layer.trainable));
  const read = (r: Record<string, tf.Tensor>): Record<string, Float32Array> =>
    Object.fromEntries(Object.entries(r).map(([k, t]) => [k, t.dataSync() as Float32Array]));
  const g = read(grads);
  const sgd = tf.train.sgd(0.1);
  sgd.applyGradients(grads);
  const stepped = read(layer.trainable);
  const lossValue = value.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads)]);
  sgd.dispose();
  disposeLayer(layer);
  return { matMul, loss: lossValue, grads: g, stepped };
}

/** Largest |a - b| / max(1, |b|) over two equally long arrays (Infinity when lengths differ or NaN). */
export function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!));
    if (!(e <= worst)) worst = Number.isNaN(e) ? Number.POSITIVE_INFINITY : e;
  }
  return worst;
}

/** Compares `native` with `reference`, quantity by quantity. */
export function compareSmoke(native: SmokeValues, reference: SmokeValues): SmokeCheck[] {
  const check = (what: string, a: ArrayLike<number>, b: ArrayLike<number>): SmokeCheck => {
    const maxError = maxRelError(a, b);
    return { what, maxError, ok: maxError <= TOLERANCE };
  };
  const all = (r: Readonly<Record<string, Float32Array>>): number[] =>
    Object.keys(r)
      .sort()
      .flatMap((k) => Array.from(r[k]!));
  return [
    check("matMul 64x48 . 48x32", native.matMul, reference.matMul),
    check("adapter layer loss", [native.loss], [reference.loss]),
    check(`gradients (${Object.keys(native.grads).length} variables)`, all(native.grads), all(reference.grads)),
    check("weights after one SGD step", all(native.stepped), all(reference.stepped)),
  ];
}

/** Makes wasm (tfjs's own kernels), else cpu, the active backend; returns its name. */
export async function useReferenceBackend(): Promise<string> {
  if ((await tryWasm(false)).ok) return "wasm";
  await tf.setBackend("cpu");
  return "cpu";
}

/** Loads tfjs-node from `dir` (or by name) and returns its version line; throws when it cannot load. */
export function loadTfjsNode(dir?: string): string {
  const require = createRequire(import.meta.url);
  const mod = require(dir === undefined ? "@tensorflow/tfjs-node" : resolve(dir)) as {
    version: Record<string, string>;
  };
  return `tfjs-node ${mod.version["tfjs-node"] ?? "?"}, TensorFlow ${tensorflowVersion() ?? "?"}`;
}

/** The libtensorflow version behind the `tensorflow` backend (TF_Version), when that backend is registered. */
export function tensorflowVersion(): string | undefined {
  const backend = tf.findBackend("tensorflow") as unknown as { binding?: { TF_Version?: string } } | null;
  return backend?.binding?.TF_Version;
}

async function main(): Promise<number> {
  process.env["TF_CPP_MIN_LOG_LEVEL"] ??= "2";
  const say = (s: string): void => console.log(`smoke: ${s}`);
  let loaded: string;
  try {
    loaded = loadTfjsNode(process.argv[2]);
  } catch (e) {
    say(`FAILED: tfjs-node does not load: ${(e as Error).message.split("\n")[0]}`);
    return 1;
  }
  if (!(await tf.setBackend("tensorflow")) || tf.getBackend() !== "tensorflow") {
    say(`FAILED: ${loaded} loaded but the \`tensorflow\` backend is not active (${tf.getBackend()})`);
    return 1;
  }
  const onGpu = (tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
  say(`${loaded} loaded; tf.getBackend() = ${tf.getBackend()}, on ${onGpu ? "a CUDA GPU" : "the CPU"}`);
  const native = smokeValues();
  const ref = await useReferenceBackend();
  const checks = compareSmoke(native, smokeValues());
  for (const c of checks)
    say(`${c.ok ? "ok  " : "FAIL"} ${c.what}: max error ${c.maxError.toExponential(1)} against ${ref}`);
  const ok = checks.every((c) => c.ok);
  say(ok ? "passed" : `FAILED: the native results differ from ${ref}'s by more than ${TOLERANCE}`);
  return ok ? 0 : 1;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  process.exitCode = await main();
}
