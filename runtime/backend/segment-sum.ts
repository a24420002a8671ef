/**
 * An `UnsortedSegmentSum` kernel for the wasm backend, which tfjs-backend-wasm 4.22 lacks. tfjs computes
 * the gradient of every embedding lookup (`GatherV2`) with it, so without it full fine-tuning (`train all`)
 * cannot run on wasm. The kernel adds each row of `x` into the output row its segment id names, in row
 * order, in float32 (as the cpu backend does), reading and writing the wasm heap directly: exact, and its
 * only memory is the output itself (for a 30522 x 384 table, the 47 MB gradient that any backend makes).
 */
import * as tf from "@tensorflow/tfjs";

/** The part of the wasm backend's class the kernel uses (public methods of `BackendWasm`). */
interface WasmHeap {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/**
 * Sums the rows of `x` (flattened to `[ids.length, inner]`) into `out` (`[numSegments, inner]`, zeroed here)
 * by segment id. Ids outside `[0, numSegments)` are dropped, as in TensorFlow.
 */
export function segmentSumInto(
  x: ArrayLike<number>,
  ids: ArrayLike<number>,
  inner: number,
  out: Float32Array | Int32Array | Uint8Array,
  numSegments: number,
): void {
  out.fill(0);
  for (let r = 0; r < ids.length; r++) {
    const s = ids[r]!;
    if (s < 0 || s >= numSegments) continue;
    const src = r * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) out[dst + j]! += x[src + j]!;
  }
}

const kernelFunc: tf.KernelConfig["kernelFunc"] = ({ inputs, backend, attrs }) => {
  const x = inputs["x"]!;
  const ids = inputs["segmentIds"]!;
  const numSegments = (attrs as { numSegments: number }).numSegments;
  const heap = backend as unknown as WasmHeap;
  const innerShape = x.shape.slice(ids.shape.length);
  const out = heap.makeOutput([numSegments, ...innerShape], x.dtype);
  const inner = innerShape.reduce((a, b) => a * b, 1);
  if (numSegments * inner === 0) return out;
  // Views are taken after makeOutput, which may grow (and so detach) the heap.
  segmentSumInto(
    heap.typedArrayFromHeap(x),
    heap.typedArrayFromHeap(ids),
    inner,
    heap.typedArrayFromHeap(out),
    numSegments,
  );
  return out;
};

/** True when `backendName` has an `UnsortedSegmentSum` kernel. */
export function hasSegmentSum(backendName = "wasm"): boolean {
  return tf.getKernel("UnsortedSegmentSum", backendName) !== undefined;
}

/** Registers the kernel on `backendName` (default wasm) unless it has one already (idempotent). */
export function installSegmentSum(backendName = "wasm"): void {
  if (hasSegmentSum(backendName)) return;
  tf.registerKernel({ kernelName: "UnsortedSegmentSum", backendName, kernelFunc });
}
