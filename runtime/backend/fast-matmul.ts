/**
 * Fast matMul gradients on wasm. The wasm backend multiplies with a transposed operand about 10x slower
 * than without (measured: 2.4 against 27 GFLOP/s), and every matMul gradient has one (dA = dY·Bᵀ,
 * dB = Aᵀ·dY). The wrapper re-registers the wasm kernels `BatchMatMul` and `_FusedMatMul` so that a
 * transposed operand is transposed explicitly first (one cheap pass) and the product runs untransposed.
 * Results are the same sums, so gradients agree to rounding. Plain products whose operands both carry a
 * batch (attention's) run on a SIMD kernel of our own (batched-matmul.ts) instead of tfjs's scalar loop.
 */
import * as tf from "@tensorflow/tfjs";
import { batchedMatMul, sharedBatch } from "./batched-matmul.ts";
import { kernelWrapped, wrapKernels, type KernelFunc } from "./wrap-kernels.ts";

type Backend = { disposeData(dataId: object): unknown };
const WRAPPED = Symbol.for("adapt.fastMatMul");
const KERNELS = ["BatchMatMul", "_FusedMatMul"] as const;

/** The permutation that swaps the last two axes of a rank-`rank` tensor. */
export function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

/** True when a matMul kernel call adds no bias and no activation (BatchMatMul always; _FusedMatMul maybe). */
function plainProduct(inputs: tf.NamedTensorInfoMap, attrs: object): boolean {
  const activation = (attrs as { activation?: string }).activation;
  return inputs["bias"] === undefined && (activation === undefined || activation === "linear");
}

function wrap(inner: KernelFunc, transpose: KernelFunc): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const a0 = attrs as { transposeA?: boolean; transposeB?: boolean };
    const untransposed = (a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo | tf.TensorInfo[] =>
      (plainProduct(inputs, attrs ?? {}) && sharedBatch(a, b) > 0 ? batchedMatMul(backend, a, b) : undefined) ??
      inner({ inputs: { ...inputs, a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    if (a0.transposeA !== true && a0.transposeB !== true) return untransposed(inputs["a"]!, inputs["b"]!);
    const temps: tf.TensorInfo[] = [];
    const flip = (t: tf.TensorInfo): tf.TensorInfo => {
      const out = transpose({
        inputs: { x: t },
        backend,
        attrs: { perm: swapLastTwo(t.shape.length) },
      }) as tf.TensorInfo;
      temps.push(out);
      return out;
    };
    const a = a0.transposeA === true ? flip(inputs["a"]!) : inputs["a"]!;
    const b = a0.transposeB === true ? flip(inputs["b"]!) : inputs["b"]!;
    try {
      return untransposed(a, b);
    } finally {
      for (const t of temps) (backend as unknown as Backend).disposeData(t.dataId);
    }
  };
}

/** True when the wasm matMul kernels are wrapped now. */
export function fastMatMulInstalled(backendName = "wasm"): boolean {
  return kernelWrapped(backendName, KERNELS[0], WRAPPED);
}

/**
 * Wraps the matMul kernels of `backendName` (default wasm; idempotent). Returns a function that puts the
 * original kernels back. Does nothing (and returns a no-op) when the backend's kernels are not registered.
 */
export function installFastMatMul(backendName = "wasm"): () => void {
  const transpose = tf.getKernel("Transpose", backendName)?.kernelFunc;
  if (transpose === undefined) return () => {};
  return wrapKernels(backendName, KERNELS, WRAPPED, (inner) => wrap(inner, transpose));
}
