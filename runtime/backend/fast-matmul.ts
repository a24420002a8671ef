/**
 * Fast matMul gradients on wasm. The wasm backend multiplies with a transposed operand about 10x slower
 * than without (measured: 2.4 against 27 GFLOP/s), and every matMul gradient has one (dA = dY·Bᵀ,
 * dB = Aᵀ·dY). The wrapper re-registers the wasm kernels `BatchMatMul` and `_FusedMatMul` so that a
 * transposed operand is transposed explicitly first (one cheap pass) and the product runs untransposed.
 * Results are the same sums, so gradients agree to rounding. A transposed second operand without a batch
 * (a frozen weight, in dY·Wᵀ) is transposed once and kept while it lives (transposed-weights.ts). Plain
 * products whose operands both carry a batch (attention's) run on a SIMD kernel of our own (batched-matmul.ts) instead of tfjs's scalar loop,
 * and so do small ones (an adapter's, with or without a bias), where XNNPACK's per-call operator and
 * thread dispatch cost more than the product. Products by a frozen weight (forward, and dY·Wᵀ) run first
 * of all on the dense kernel of dense-matmul.ts, where it takes them.
 */
import * as tf from "@tensorflow/tfjs";
import { batchedMatMul, columnBias, sharedBatch, smallProduct } from "./batched-matmul.ts";
import { denseMatMul } from "./dense-matmul.ts";
import { keptTranspose } from "./transposed-weights.ts";
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

/** True when `attrs` asks for no activation. */
const linear = (attrs: object): boolean => {
  const activation = (attrs as { activation?: string }).activation;
  return activation === undefined || activation === "linear";
};

/**
 * a · b (untransposed) on the kernels of batched-matmul.ts when they take it: a product whose operands
 * share a batch, or a small one, with no activation and no bias, or a small one with a bias per column.
 */
function onOwnKernel(
  inputs: tf.NamedTensorInfoMap,
  attrs: object,
  backend: unknown,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
): tf.TensorInfo | undefined {
  if (!linear(attrs)) return undefined;
  const bias = inputs["bias"];
  if (bias === undefined) return sharedBatch(a, b) > 0 || smallProduct(a, b) ? batchedMatMul(backend, a, b) : undefined;
  const n = b.shape[b.shape.length - 1]!;
  return smallProduct(a, b) && columnBias(bias, n) ? batchedMatMul(backend, a, b, bias) : undefined;
}

/** True when every axis of `t` but the last two has size 1. */
const unbatched = (t: tf.TensorInfo): boolean => t.shape.slice(0, -2).every((d) => d === 1);

function wrap(inner: KernelFunc, transpose: KernelFunc): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const a0 = attrs as { transposeA?: boolean; transposeB?: boolean };
    const noActivation = linear(attrs ?? {});
    const dense =
      a0.transposeA !== true && noActivation
        ? denseMatMul(backend, inputs["a"]!, inputs["b"]!, a0.transposeB === true, inputs["bias"])
        : undefined;
    if (dense !== undefined) return dense;
    const untransposed = (a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo | tf.TensorInfo[] =>
      onOwnKernel(inputs, attrs ?? {}, backend, a, b) ??
      (noActivation ? denseMatMul(backend, a, b, false, inputs["bias"], true) : undefined) ??
      inner({ inputs: { ...inputs, a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    if (a0.transposeA !== true && a0.transposeB !== true) return untransposed(inputs["a"]!, inputs["b"]!);
    const temps: tf.TensorInfo[] = [];
    const transposed = (t: tf.TensorInfo): tf.TensorInfo =>
      transpose({ inputs: { x: t }, backend, attrs: { perm: swapLastTwo(t.shape.length) } }) as tf.TensorInfo;
    const flip = (t: tf.TensorInfo): tf.TensorInfo => {
      const out = transposed(t);
      temps.push(out);
      return out;
    };
    const a = a0.transposeA === true ? flip(inputs["a"]!) : inputs["a"]!;
    const b0 = inputs["b"]!;
    const kept = a0.transposeB === true && unbatched(b0) ? keptTranspose(backend, b0, () => transposed(b0)) : undefined;
    const b = a0.transposeB !== true ? b0 : (kept ?? flip(b0));
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
