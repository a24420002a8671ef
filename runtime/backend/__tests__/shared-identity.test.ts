/**
 * The wasm `Identity` that shares memory: a clone (what tfjs saves for every gradient) allocates nothing
 * and reads the same values, each copy stays readable after the other is disposed, the memory goes with
 * the last one, gradients equal the copying kernel's bit for bit, and uninstalling restores the copy.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { installSharedIdentity, sharedIdentityInstalled, uninstallSharedIdentity } from "../shared-identity.ts";
import { seededTensor } from "../testing.ts";
import { tryWasm } from "../wasm.ts";

const wasm = await tryWasm();
if (!wasm.ok) console.log(`[shared-identity] wasm backend skipped: ${wasm.reason}`);

/** The number of buffers the wasm backend holds now. */
const buffers = (): number => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();

async function gradients(): Promise<Float32Array[]> {
  const x = seededTensor(3, [6, 5]);
  const { value, grads } = tf.valueAndGrads((a: tf.Tensor) => tf.sum(tf.mul(tf.tanh(a), tf.softmax(a))) as tf.Scalar)([
    x,
  ]);
  const out = [(await value.data()) as Float32Array, (await grads[0]!.data()) as Float32Array];
  tf.dispose([x, value, ...grads]);
  return out;
}

describe.skipIf(!wasm.ok)("shared Identity on wasm", () => {
  beforeAll(async () => {
    await tf.setBackend("wasm");
  });

  it("is installed with the backend, and a clone shares its source's memory", async () => {
    expect(sharedIdentityInstalled()).toBe(true);
    const x = seededTensor(1, [4, 3]);
    const before = buffers();
    const y = tf.clone(x);
    expect(buffers()).toBe(before);
    const expected = await x.data();
    x.dispose();
    expect(await y.data()).toEqual(expected);
    y.dispose();
    expect(buffers()).toBe(before - 1);
  });

  it("gives the copying kernel's gradients bit for bit; uninstalling copies again", async () => {
    const shared = await gradients();
    uninstallSharedIdentity();
    try {
      expect(sharedIdentityInstalled()).toBe(false);
      const x = seededTensor(1, [4, 3]);
      const before = buffers();
      const y = tf.clone(x);
      expect(buffers()).toBe(before + 1);
      tf.dispose([x, y]);
      expect(await gradients()).toEqual(shared);
    } finally {
      installSharedIdentity();
    }
    expect(sharedIdentityInstalled()).toBe(true);
  });
});
