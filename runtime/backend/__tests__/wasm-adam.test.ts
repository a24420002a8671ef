/**
 * The Adam kernel of wasm-adam.ts: a valid module for both memories; on the wasm backend, five AdamW
 * steps through the kernel give the variables and both moments of the op-by-op update bit for bit
 * (variables with and without weight decay, sizes with 0-3 elements after the last vector, gradients
 * taken as they are and times a clipping factor), and the optimizer takes the kernel only while it is
 * registered.
 */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { Optimizer } from "../../train/optimizer.ts";
import { read, recordKernelCalls, seededTensor } from "../testing.ts";
import { tryWasm } from "../wasm.ts";
import { ADAM_KERNEL, adamModuleBytes, installAdam } from "../wasm-adam.ts";

const wasm = await tryWasm();
const CONFIG = { kind: "adamw", lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01, momentum: 0 };

/** Five steps from the same start; every variable and moment afterwards, flattened. */
async function fiveSteps(): Promise<number[]> {
  const shapes: [string, number[]][] = [
    ["a/kernel", [7, 9]],
    ["a/bias", [9]],
    ["b/kernel", [4, 4]],
    ["LayerNorm/gamma", [6]],
    ["c/kernel", [1]],
  ];
  const vars = shapes.map(([name, shape], i) => tf.variable(seededTensor(40 + i, shape), true, `${name}${i}`));
  const opt = new Optimizer(CONFIG as ConstructorParameters<typeof Optimizer>[0], vars);
  for (let step = 0; step < 5; step++) {
    const grads = shapes.map(([, shape], i) => seededTensor(60 + 7 * step + i, shape));
    opt.applyGradients(grads, 0.01 * (step + 1), step % 2 === 1 ? Math.fround(0.37 + step) : 1);
    tf.dispose(grads);
  }
  const state = await opt.getState();
  const out = [...(await read(...vars)), ...state.slots.flatMap((s) => [...s])];
  opt.dispose();
  tf.dispose(vars);
  return out;
}

describe("Adam kernel", () => {
  it("is a valid module for both memories", () => {
    expect(WebAssembly.validate(adamModuleBytes(false))).toBe(true);
    expect(WebAssembly.validate(adamModuleBytes(true))).toBe(true);
  });

  it.skipIf(!wasm.ok)("gives the op-by-op AdamW update bit for bit on wasm", async () => {
    await tf.setBackend("wasm");
    expect(installAdam()).toBe(true);
    const calls = recordKernelCalls([ADAM_KERNEL]);
    const fused = await fiveSteps();
    expect(calls.length).toBe(25);
    tf.unregisterKernel(ADAM_KERNEL, "wasm");
    const plain = await fiveSteps();
    expect(installAdam()).toBe(true);
    expect(calls.length).toBe(25);
    expect(fused).toEqual(plain);
  });
});
