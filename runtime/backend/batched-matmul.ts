/**
 * Batched matMuls (attention's: both operands carry a batch) and small ones (an adapter's) on the SIMD
 * kernel of wasm-bmm.ts.
 * tfjs-backend-wasm hands XNNPACK only products whose operands have batch 1; any other goes to a scalar
 * triple loop on one thread (about 50 ms of CPU for one of attention's products of the bundled example's
 * longest batch). Per batch entry on XNNPACK it took 12-19 ms on the single-threaded build but 160-240 ms
 * on the threaded one, where every small product is a thread-pool dispatch; the kernel here takes the
 * operands where they lie in the backend's heap and writes the output there, its batch entries (or, with
 * one, its rows) shared over the threads of heap-pool.ts where there are some and the work is large.
 */
import * as tf from "@tensorflow/tfjs";
import { callShared, wasmHeap } from "./wasm-asm.ts";
import { bmmKernel } from "./wasm-bmm.ts";

/** The batch size when `a` [..., M, K] and `b` [..., K, N] share leading dimensions (product > 1), else 0. */
export function sharedBatch(a: tf.TensorInfo, b: tf.TensorInfo): number {
  const lead = a.shape.slice(0, -2);
  const same = lead.length === b.shape.length - 2 && lead.every((d, i) => d === b.shape[i]);
  const n = lead.reduce((x, y) => x * y, 1);
  return same && a.dtype === "float32" && b.dtype === "float32" && n > 1 ? n : 0;
}

/** Products with a dimension at most this size count as small (see `smallProduct`). */
export const SMALL_DIMENSION = 32;

/**
 * True when `a` [..., M, K] · `b` [..., K, N] (float32, every leading axis of size 1) has M, K or N at most
 * SMALL_DIMENSION: an adapter's projections and their gradients. The wasm backend hands such a product to
 * XNNPACK, which creates an operator and packs `b` whenever `b` is a new tensor (an activation, or a
 * trained weight after its update) and dispatches to its thread pool: for the bundled example's 480 x 384
 * by 384 x 16, 1.3-2 ms where the kernel of wasm-bmm.ts takes 0.2 ms on one thread, with the same sums.
 */
export function smallProduct(a: tf.TensorInfo, b: tf.TensorInfo): boolean {
  const single = (t: tf.TensorInfo) => t.dtype === "float32" && t.shape.slice(0, -2).every((d) => d === 1);
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  return single(a) && single(b) && Math.min(m, k, n) <= SMALL_DIMENSION;
}

/** True when `bias` is a float32 vector of one value per column of a product with `n` columns. */
export function columnBias(bias: tf.TensorInfo, n: number): boolean {
  return bias.dtype === "float32" && bias.shape[bias.shape.length - 1] === n && tf.util.sizeFromShape(bias.shape) === n;
}

/**
 * bias + a · b (untransposed, float32; the same leading dimensions of batch > 1, or a small product as
 * `smallProduct` says; `bias`, when given, as `columnBias` says) on the wasm backend `backend`, by the
 * SIMD kernels of wasm-bmm.ts on the backend's heap. Undefined when the backend is not tfjs-backend-wasm's
 * or the kernel cannot run here.
 */
export function batchedMatMul(
  backend: unknown,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  bias?: tf.TensorInfo,
): tf.TensorInfo | undefined {
  const heap = wasmHeap(backend);
  const kernel = heap === undefined ? undefined : bmmKernel(heap.memory);
  if (heap === undefined || kernel === undefined) return undefined;
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  const lead = (a.shape.length >= b.shape.length ? a : b).shape.slice(0, -2);
  const out = heap.makeOutput([...lead, m, n], "float32");
  const at = (t: tf.TensorInfo | undefined) => (t === undefined ? 0 : heap.offset(t));
  const [pa, pb, pc, pbias] = [at(a), at(b), at(out), at(bias)];
  const g = Math.max(1, sharedBatch(a, b));
  const name = bias === undefined ? "bmm" : "bmmBias";
  const work = g * m * k * n;
  if (g > 1)
    callShared(heap.memory, kernel, name, g, 1, work, (e0, e1) => [
      pa + 4 * e0 * m * k,
      pb + 4 * e0 * k * n,
      pc + 4 * e0 * m * n,
      e1 - e0,
      m,
      k,
      n,
      pbias,
    ]);
  else
    callShared(heap.memory, kernel, name, m, 4, work, (r0, r1) => [
      pa + 4 * r0 * k,
      pb,
      pc + 4 * r0 * n,
      1,
      r1 - r0,
      k,
      n,
      pbias,
    ]);
  return out;
}
