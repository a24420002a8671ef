/**
 * The global L2 norm of a list of gradients as one kernel on the wasm backend, `AdaptGlobalNorm` (inputs
 * named "0", "1", ...; output a float32 scalar), which runtime/train/optimizer.ts takes for gradient
 * clipping where it is registered. Op by op the norm is a Square, a Sum and an Add per gradient and a
 * Sqrt: for the bundled example's 76 gradients about 230 kernel launches a step, each costing more than
 * its arithmetic. The kernel reads the gradients on the heap and does the same float32 operations in the
 * same order (each gradient's squares summed from its first element to its last, as the wasm Sum kernel
 * does, then the sums added left to right and the square root taken), so the norm is the op-by-op one
 * bit for bit. It is scalar on purpose: a vectorised sum would change the order of the additions.
 */
import * as tf from "@tensorflow/tfjs";
import { registerHeapKernels, wasmHeap } from "./wasm-asm.ts";

/** The kernel's name. */
export const GLOBAL_NORM_KERNEL = "AdaptGlobalNorm";

const f = Math.fround;

/**
 * √(Σ_k Σ_i x_ki²) in float32, every operation rounded as the op-by-op kernels round it: squares summed
 * within a list in index order, the lists' sums added in list order.
 */
export function globalNormInOrder(lists: readonly ArrayLike<number>[]): number {
  let total = 0;
  lists.forEach((x, k) => {
    let s = 0;
    for (let i = 0; i < x.length; i++) s = f(s + f(x[i]! * x[i]!));
    total = k === 0 ? s : f(total + s);
  });
  return f(Math.sqrt(total));
}

const kernelFunc: tf.KernelConfig["kernelFunc"] = ({ inputs, backend }) => {
  const heap = wasmHeap(backend)!;
  const xs = Object.keys(inputs)
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => inputs[k]!);
  const out = heap.makeOutput([], "float32");
  const view = new Float32Array(heap.memory.buffer);
  const lists = xs.map((x) => {
    const at = heap.offset(x) >> 2;
    return view.subarray(at, at + tf.util.sizeFromShape(x.shape));
  });
  view[heap.offset(out) >> 2] = globalNormInOrder(lists);
  return out;
};

/**
 * Registers `AdaptGlobalNorm` on `backendName` (default wasm) when its backend is tfjs-backend-wasm's;
 * true when it is registered (now or before).
 */
export function installGlobalNorm(backendName = "wasm"): boolean {
  return registerHeapKernels(backendName, { [GLOBAL_NORM_KERNEL]: kernelFunc });
}
