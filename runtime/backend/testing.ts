/**
 * The backend-sensitive test group. `await forEachBackend((b) => { it(...) })` declares the body once per
 * backend named in `ADAPT_TEST_BACKENDS` (comma-separated; default `cpu,wasm,webgpu,tensorflow`), with that
 * backend active. cpu always runs; an unavailable backend's block is skipped with its reason printed.
 * WebGPU is taken even on a software adapter (lavapipe in CI). Read results with `read` (webgpu cannot
 * read synchronously) and compare with `expectClose` against `onBackend("cpu", ...)`.
 */
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, describe, expect } from "vitest";
import { takeDeviceError } from "./device.ts";
import { selectBackend } from "./select.ts";
import type { BackendName } from "./types.ts";
import { maxRelDiff, seededTensor } from "./compare.ts";

export { maxRelDiff, seeded, seededTensor } from "./compare.ts";

/** Largest allowed error against cpu, relative to max(1, |cpu value|). */
export interface Tolerance {
  readonly forward: number;
  readonly gradient: number;
}

/** The tolerances of the group, per backend (cpu against itself is exact). */
export const TOLERANCE: Readonly<Record<BackendName, Tolerance>> = {
  cpu: { forward: 0, gradient: 0 },
  wasm: { forward: 1e-5, gradient: 1e-5 },
  webgpu: { forward: 1e-4, gradient: 1e-4 },
  tensorflow: { forward: 1e-4, gradient: 1e-4 },
};

/** A backend the group runs on. */
export interface TestBackend {
  readonly name: BackendName;
  readonly tolerance: Tolerance;
}

/** Whether a backend can run here, and why not. */
export interface BackendProbe {
  readonly name: BackendName;
  readonly available: boolean;
  readonly why: string;
}

const ALL: readonly BackendName[] = ["cpu", "wasm", "webgpu", "tensorflow"];

/** The backends `ADAPT_TEST_BACKENDS` names (unknown names are ignored), cpu always first. */
export function testBackendNames(env: NodeJS.ProcessEnv = process.env): BackendName[] {
  const asked = (env["ADAPT_TEST_BACKENDS"] ?? ALL.join(",")).split(",").map((s) => s.trim());
  return ALL.filter((n) => n === "cpu" || asked.includes(n));
}

let probes: Promise<BackendProbe[]> | undefined;

/** Brings each test backend up once (cached per test file) and leaves cpu active. */
export function probeTestBackends(): Promise<BackendProbe[]> {
  probes ??= (async () => {
    const out: BackendProbe[] = [];
    for (const name of testBackendNames()) {
      const r = await selectBackend(name, { allowSoftwareGpu: true });
      const d = r.diagnostics[0];
      out.push({ name, available: r.value !== undefined, why: r.value?.detail ?? `${d?.code}: ${d?.message}` });
    }
    await tf.setBackend("cpu");
    return out;
  })();
  return probes;
}

/**
 * Declares `body` once per test backend, inside `describe("backend <name>")` with that backend active.
 * Tests get 30 s each (120 s on webgpu, whose shaders compile slowly on lavapipe). A test after which
 * the GPU device has reported an error (see device.ts) fails, whatever its numbers.
 */
export async function forEachBackend(body: (backend: TestBackend) => void): Promise<void> {
  for (const p of await probeTestBackends()) {
    if (!p.available) console.log(`[backend ${p.name}] skipped: ${p.why}`);
    const timeout = p.name === "webgpu" ? 120_000 : 30_000;
    describe.skipIf(!p.available)(`backend ${p.name} (${p.why})`, { timeout }, () => {
      beforeAll(async () => {
        await tf.setBackend(p.name);
      });
      afterEach(() => {
        expect(takeDeviceError(), `${p.name}: the device reported an error`).toBeUndefined();
      });
      body({ name: p.name, tolerance: TOLERANCE[p.name] });
    });
  }
}

/** Runs `fn` with backend `name` active and goes back to the one active before. */
export async function onBackend<T>(name: BackendName, fn: () => T | Promise<T>): Promise<T> {
  const before = tf.getBackend();
  await tf.setBackend(name);
  try {
    return await fn();
  } finally {
    await tf.setBackend(before);
  }
}

/** The values of tensors as one flat array (asynchronous: works on webgpu); disposes them. */
export async function read(...tensors: tf.Tensor[]): Promise<number[]> {
  const out: number[] = [];
  for (const t of tensors) {
    for (const v of await t.data()) out.push(v);
    t.dispose();
  }
  return out;
}

/** Asserts `actual` is within `tol` of `expected` (see maxRelDiff), logs and returns the error. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): number {
  expect(actual.length).toBe(expected.length);
  const d = maxRelDiff(actual, expected);
  if (process.env["ADAPT_TEST_VERBOSE"] !== undefined)
    console.log(`${what}: max error ${d.toExponential(2)} (tolerance ${tol})`);
  expect(d, `${what}: max error ${d} > ${tol}`).toBeLessThanOrEqual(tol);
  return d;
}

/**
 * Checks gradients against a central difference along a seeded direction: |(f(x+εv) - f(x-εv)) / 2ε -
 * Σ⟨gᵢ, vᵢ⟩| <= tol · max(1, |Σ⟨gᵢ, vᵢ⟩|). `f` maps the inputs to a scalar; returns the error.
 */
export async function expectDirectionalDerivative(
  f: (xs: tf.Tensor[]) => tf.Scalar,
  xs: tf.Tensor[],
  grads: readonly tf.Tensor[],
  what: string,
  tol = 2e-2,
  eps = 1e-2,
): Promise<number> {
  const vs = xs.map((x, i) => seededTensor(1000 + i, x.shape));
  const shifted = (sign: number): tf.Scalar => tf.tidy(() => f(xs.map((x, i) => x.add(vs[i]!.mul(sign * eps)))));
  const [plus, minus] = await read(shifted(1), shifted(-1));
  const numeric = (plus! - minus!) / (2 * eps);
  const terms = grads.map((g, i) => g.mul(vs[i]!).sum());
  const analytic = (await read(tf.tidy(() => terms.reduce((a, b) => a.add(b)))))[0]!;
  terms.forEach((t) => t.dispose());
  vs.forEach((v) => v.dispose());
  const err = Math.abs(numeric - analytic) / Math.max(1, Math.abs(analytic));
  expect(err, `${what}: directional derivative ${analytic} vs central difference ${numeric}`).toBeLessThanOrEqual(tol);
  return err;
}

/**
 * Replaces each registered kernel `names` of `backendName` by one that records its name in the returned
 * list, then runs it: a test sees which kernels a path took. Unregister (or install again) to undo.
 */
export function recordKernelCalls(names: readonly string[], backendName = "wasm"): string[] {
  const calls: string[] = [];
  for (const name of names) {
    const config = tf.getKernel(name, backendName)!;
    tf.unregisterKernel(name, backendName);
    tf.registerKernel({ ...config, kernelFunc: (args) => (calls.push(name), config.kernelFunc(args)) });
  }
  return calls;
}

/**
 * One step s + a·b of a product kernel's sum, in float32: the product rounded, then the sum; or with
 * `once` (a fused multiply-add, wasm-fma.ts) the exact product added and rounded once (a·b of two floats
 * is exact in a double).
 */
export const multiplyAddStep = (once: boolean, s: number, a: number, b: number): number =>
  once ? Math.fround(s + a * b) : Math.fround(s + Math.fround(a * b));
