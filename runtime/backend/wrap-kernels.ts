/**
 * Replacing a backend's registered kernels by wrappers around them, the mechanism behind fast-matmul.ts
 * (wasm) and webgpu-cast.ts (webgpu). Each wrapper carries a tag, so installing twice is a no-op and the
 * installed state can be asked for and the original put back (`unwrapKernels`).
 */
import * as tf from "@tensorflow/tfjs";

/** A tfjs kernel function. */
export type KernelFunc = tf.KernelConfig["kernelFunc"];

/** True when kernel `name` of `backendName` is now a wrapper tagged `tag`. */
export function kernelWrapped(backendName: string, name: string, tag: symbol): boolean {
  const k = tf.getKernel(name, backendName);
  return k !== undefined && tag in k.kernelFunc;
}

/**
 * Re-registers each of the kernels `names` of `backendName` that is registered as `wrap(original)`, tagged
 * `tag`. Does nothing (and returns a no-op) when the first one is already wrapped with that tag. Returns a
 * function that puts the originals back.
 */
export function wrapKernels(
  backendName: string,
  names: readonly string[],
  tag: symbol,
  wrap: (inner: KernelFunc) => KernelFunc,
): () => void {
  if (names[0] !== undefined && kernelWrapped(backendName, names[0], tag)) return () => {};
  const originals: tf.KernelConfig[] = [];
  for (const name of names) {
    const config = tf.getKernel(name, backendName);
    if (config === undefined) continue;
    originals.push(config);
    const wrapped = wrap(config.kernelFunc);
    Object.defineProperty(wrapped, tag, { value: config.kernelFunc });
    tf.unregisterKernel(name, backendName);
    tf.registerKernel({ ...config, kernelFunc: wrapped });
  }
  return () => {
    for (const config of originals) {
      tf.unregisterKernel(config.kernelName, backendName);
      tf.registerKernel(config);
    }
  };
}

/**
 * Puts back the kernel each of `names` of `backendName` wraps, where it is now a wrapper tagged `tag`
 * (the original is kept under the tag); a no-op for the others.
 */
export function unwrapKernels(backendName: string, names: readonly string[], tag: symbol): void {
  for (const name of names) {
    const config = tf.getKernel(name, backendName);
    const original = (config?.kernelFunc as unknown as Record<symbol, KernelFunc | undefined> | undefined)?.[tag];
    if (config === undefined || original === undefined) continue;
    tf.unregisterKernel(name, backendName);
    tf.registerKernel({ ...config, kernelFunc: original });
  }
}
