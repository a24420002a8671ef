/**
 * The GELU kernels of wasm-gelu.ts: against GELU and its gradient computed in float64 from a series for
 * erf, within 3e-7 (relative to max(1, |value|)) over [-12, 12] and at 0, -0, ±1e-30 and ±100, on a plain
 * and a shared memory, for counts that leave 0-3 elements after the last vector, nothing written past the
 * output; on the wasm backend fusedGelu takes them and equals the cpu backend's op-by-op values and
 * gradient within 1e-6, and while a gradient is recorded it takes the training kernel (value and slope),
 * whose value and gradient (dy times the slope) equal the gradient kernel's bit for bit.
 */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { fusedGelu } from "../../layers/fused.ts";
import { maxRelDiff, onBackend, read, recordKernelCalls, seededTensor } from "../testing.ts";
import { tryWasm } from "../wasm.ts";
import {
  GELU_GRAD_KERNEL,
  GELU_KERNEL,
  GELU_TRAIN_KERNEL,
  geluModuleBytes,
  geluOn,
  installGelu,
} from "../wasm-gelu.ts";

const wasm = await tryWasm();

/** erf in float64: its Taylor series below 3, a continued fraction of erfc above. */
function erf(z: number): number {
  const a = Math.abs(z);
  let r: number;
  if (a < 3) {
    let s = 0;
    let t = a;
    for (let k = 0; k < 200 && Math.abs(t) > 1e-18; k++) {
      s += t / (2 * k + 1);
      t *= (-a * a) / (k + 1);
    }
    r = (2 / Math.sqrt(Math.PI)) * s;
  } else {
    let cf = 0;
    for (let k = 60; k >= 1; k--) cf = k / 2 / (a + cf);
    r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + cf);
  }
  return z < 0 ? -r : r;
}

/** The largest error of both kernels over `n` inputs, and the guards after each output. */
function errors(memory: WebAssembly.Memory, n: number): { y: number; grad: number; guards: number[] } {
  const f = new Float32Array(memory.buffer);
  const [x, dy, y, dx] = [4, 4 + n + 1, 4 + 2 * n + 6, 4 + 3 * n + 9];
  for (let i = 0; i < n; i++) {
    f[x + i] = n === 1 ? 0.3 : (i / (n - 1) - 0.5) * 24;
    f[dy + i] = Math.cos(i);
  }
  const special = [0, -0, 1e-30, -1e-30, 100, -100];
  special.slice(0, n).forEach((v, i) => (f[x + i * Math.floor(n / special.length)] = v));
  f[y + n] = 77;
  f[dx + n] = 77;
  const k = geluOn(memory)!;
  k.gelu(4 * x, 4 * y, n);
  k.geluGrad(4 * x, 4 * dy, 4 * dx, n);
  let ey = 0;
  let eg = 0;
  for (let i = 0; i < n; i++) {
    const v = f[x + i]!;
    const phi = 0.5 * (1 + erf(v / Math.SQRT2));
    const wy = v * phi;
    const wg = f[dy + i]! * (phi + (v * Math.exp((-v * v) / 2)) / Math.sqrt(2 * Math.PI));
    ey = Math.max(ey, Math.abs(f[y + i]! - wy) / Math.max(1, Math.abs(wy)));
    eg = Math.max(eg, Math.abs(f[dx + i]! - wg) / Math.max(1, Math.abs(wg)));
  }
  return { y: ey, grad: eg, guards: [f[y + n]!, f[dx + n]!] };
}

describe("GELU kernels", () => {
  it("are a valid module for both memories", () => {
    expect(WebAssembly.validate(geluModuleBytes(false))).toBe(true);
    expect(WebAssembly.validate(geluModuleBytes(true))).toBe(true);
  });

  for (const shared of [false, true]) {
    it(`match GELU and its gradient within 3e-7 on a ${shared ? "shared" : "plain"} memory`, () => {
      const memory = new WebAssembly.Memory({ initial: 64, maximum: 128, shared });
      for (const n of [100_003, 4096, 7, 6, 5, 1]) {
        const e = errors(memory, n);
        expect(e.y).toBeLessThanOrEqual(3e-7);
        expect(e.grad).toBeLessThanOrEqual(3e-7);
        expect(e.guards).toEqual([77, 77]);
      }
    });
  }

  it.skipIf(!wasm.ok)("run fusedGelu on wasm, equal to cpu's op-by-op values and gradient within 1e-6", async () => {
    await tf.setBackend("wasm");
    expect(tf.getKernel(GELU_KERNEL, "wasm")).toBeDefined();
    const both = () =>
      read(
        ...tf.tidy(() => {
          const x = tf.mul(seededTensor(31, [37, 45]), 4);
          const dy = seededTensor(32, [37, 45]);
          const g = tf.grad((t: tf.Tensor) => fusedGelu(t))(x, dy);
          return [fusedGelu(x), g];
        }),
      );
    const got = await both();
    expect(maxRelDiff(got, await onBackend("cpu", both))).toBeLessThanOrEqual(1e-6);
  });

  it.skipIf(!wasm.ok)(
    "keep the slope while recording: value and gradient equal the gradient kernel's bit for bit",
    async () => {
      await tf.setBackend("wasm");
      const calls = recordKernelCalls([GELU_TRAIN_KERNEL, GELU_GRAD_KERNEL]);
      const both = () =>
        read(
          ...tf.tidy(() => {
            const x = tf.mul(seededTensor(33, [41, 23]), 5);
            const dy = seededTensor(34, [41, 23]);
            const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(fusedGelu(v), dy)) as tf.Scalar, [v]);
            return [value, fusedGelu(x), grads[v.name]!];
          }),
        );
      const v = tf.variable(tf.mul(seededTensor(35, [41, 23]), 5), true);
      const slope = await both();
      expect(calls).toEqual([GELU_TRAIN_KERNEL]);
      tf.unregisterKernel(GELU_TRAIN_KERNEL, "wasm");
      const plain = await both();
      expect(calls).toEqual([GELU_TRAIN_KERNEL, GELU_GRAD_KERNEL]);
      expect(slope).toEqual(plain);
      tf.unregisterKernel(GELU_KERNEL, "wasm");
      tf.unregisterKernel(GELU_GRAD_KERNEL, "wasm");
      expect(installGelu()).toBe(true);
      v.dispose();
    },
  );
});
