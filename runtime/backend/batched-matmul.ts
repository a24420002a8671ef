/**
 * Batched matMuls (attention's: both operands carry a batch) on the SIMD kernel of wasm-bmm.ts.
 * tfjs-backend-wasm hands XNNPACK only products whose operands have batch 1; any other goes to a scalar
 * triple loop on one thread (about 50 ms of CPU for one of attention's products of the bundled example's
 * longest batch). Per batch entry on XNNPACK it took 12-19 ms on the single-threaded build but 160-240 ms
 * on the threaded one, where every small product is a thread-pool dispatch; the kernel here takes the
 * operands where they lie in the backend's heap and writes the output there, on the calling thread.
 */
import type * as tf from "@tensorflow/tfjs";
import { wasmHeap } from "./wasm-asm.ts";
import { bmmOn } from "./wasm-bmm.ts";

/** The batch size when `a` [..., M, K] and `b` [..., K, N] share leading dimensions (product > 1), else 0. */
export function sharedBatch(a: tf.TensorInfo, b: tf.TensorInfo): number {
  const lead = a.shape.slice(0, -2);
  const same = lead.length === b.shape.length - 2 && lead.every((d, i) => d === b.shape[i]);
  const n = lead.reduce((x, y) => x * y, 1);
  return same && a.dtype === "float32" && b.dtype === "float32" && n > 1 ? n : 0;
}

/**
 * a · b (untransposed, float32, the same leading dimensions of batch > 1) on the wasm backend `backend`,
 * by the SIMD kernel of wasm-bmm.ts on the backend's heap. Undefined when the backend is not
 * tfjs-backend-wasm's or the kernel cannot run here.
 */
export function batchedMatMul(backend: unknown, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo | undefined {
  const heap = wasmHeap(backend);
  const kernel = heap === undefined ? undefined : bmmOn(heap.memory);
  if (heap === undefined || kernel === undefined) return undefined;
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  const out = heap.makeOutput([...a.shape.slice(0, -2), m, n], "float32");
  kernel(heap.offset(a), heap.offset(b), heap.offset(out), sharedBatch(a, b), m, k, n);
  return out;
}
