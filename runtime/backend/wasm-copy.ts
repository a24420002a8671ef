/**
 * `GatherV2` and `Tile` for the wasm backend as block copies on its heap. tfjs-backend-wasm 4.22 computes
 * both element by element through generic stride arithmetic, about 30 ns an element: on the bundled
 * example's longest batch (32 x 64 tokens) the two embedding lookups took 44 ms and the position
 * embeddings' Tile 52 ms of a step. Here a gather of rows along axis 0 copies each row with one
 * `copyWithin`, and Tile copies the input's innermost rows once and then doubles whole blocks, so the
 * results are the stock kernels' bit for bit (they are copies). Other cases (another axis, batch
 * dimensions, 1- or 2-byte dtypes) run the stock kernels.
 */
import * as tf from "@tensorflow/tfjs";
import { fourBytes, wasmHeap } from "./wasm-asm.ts";
import { unwrapKernels, wrapKernels, type KernelFunc } from "./wrap-kernels.ts";

const TAG = Symbol.for("adapt.wasmCopy");

/** True for the dtypes stored in 4 bytes on the wasm heap. */
/**
 * Rows `ids` of a `[rows, inner]` table at word offset `src` of `heap`, written at word offset `dst`;
 * false (nothing written) when an id is outside `[0, rows)`.
 */
export function gatherRowsInto(
  heap: Int32Array,
  src: number,
  rows: number,
  inner: number,
  ids: ArrayLike<number>,
  dst: number,
): boolean {
  for (let i = 0; i < ids.length; i++) if (!(ids[i]! >= 0 && ids[i]! < rows)) return false;
  for (let i = 0; i < ids.length; i++) {
    const from = src + ids[i]! * inner;
    heap.copyWithin(dst + i * inner, from, from + inner);
  }
  return true;
}

/**
 * `x` (shape `shape` at word offset `src` of `heap`) tiled `reps` times along each axis, written at word
 * offset `dst` (which must not overlap it).
 */
export function tileInto(
  heap: Int32Array,
  src: number,
  shape: readonly number[],
  reps: readonly number[],
  dst: number,
): void {
  const rank = shape.length;
  if (rank === 0) {
    heap[dst] = heap[src]!;
    return;
  }
  const inStride = new Array<number>(rank).fill(1);
  const outStride = new Array<number>(rank).fill(1);
  for (let d = rank - 2; d >= 0; d--) {
    inStride[d] = inStride[d + 1]! * shape[d + 1]!;
    outStride[d] = outStride[d + 1]! * shape[d + 1]! * reps[d + 1]!;
  }
  const fill = (d: number, s: number, o: number): void => {
    const n = shape[d]!;
    if (d === rank - 1) heap.copyWithin(o, s, s + n);
    else for (let i = 0; i < n; i++) fill(d + 1, s + i * inStride[d]!, o + i * outStride[d]!);
    const block = n * outStride[d]!;
    for (let done = 1; done < reps[d]!;) {
      const k = Math.min(done, reps[d]! - done);
      heap.copyWithin(o + done * block, o, o + k * block);
      done += k;
    }
  };
  fill(0, src, dst);
}

const gather =
  (inner: KernelFunc): KernelFunc =>
  (args) => {
    const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const { axis, batchDims } = args.attrs as unknown as tf.GatherV2Attrs;
    const heap = wasmHeap(args.backend);
    const rank = x.shape.length;
    const ax = axis < 0 ? axis + rank : axis;
    if (heap === undefined || ax !== 0 || (batchDims ?? 0) !== 0 || rank === 0 || !fourBytes(x.dtype)) {
      return inner(args);
    }
    if (indices.dtype !== "int32") return inner(args);
    const rowSize = x.shape.slice(1).reduce((a, b) => a * b, 1);
    const out = heap.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype as "float32");
    const h = new Int32Array(heap.memory.buffer);
    const n = tf.util.sizeFromShape(indices.shape);
    const ids = h.subarray(heap.offset(indices) >> 2, (heap.offset(indices) >> 2) + n);
    if (rowSize === 0 || n === 0) return out;
    if (gatherRowsInto(h, heap.offset(x) >> 2, x.shape[0]!, rowSize, ids, heap.offset(out) >> 2)) return out;
    (args.backend as unknown as { disposeData(id: tf.DataId): void }).disposeData(out.dataId);
    return inner(args);
  };

const tile =
  (inner: KernelFunc): KernelFunc =>
  (args) => {
    const x = args.inputs["x"]!;
    const reps = (args.attrs as unknown as tf.TileAttrs).reps;
    const heap = wasmHeap(args.backend);
    if (heap === undefined || !fourBytes(x.dtype) || reps.length !== x.shape.length) return inner(args);
    const out = heap.makeOutput(
      x.shape.map((d, i) => d * reps[i]!),
      x.dtype as "float32",
    );
    if (tf.util.sizeFromShape(out.shape) === 0) return out;
    tileInto(new Int32Array(heap.memory.buffer), heap.offset(x) >> 2, x.shape, reps, heap.offset(out) >> 2);
    return out;
  };

/** Replaces `backendName`'s (default wasm) `GatherV2` and `Tile` with the copying ones (idempotent). */
export function installCopies(backendName = "wasm"): void {
  wrapKernels(backendName, ["GatherV2"], TAG, gather);
  wrapKernels(backendName, ["Tile"], TAG, tile);
}

/** Puts the stock `GatherV2` and `Tile` back on `backendName` (benchmarks); a no-op where not installed. */
export function uninstallCopies(backendName = "wasm"): void {
  unwrapKernels(backendName, ["GatherV2", "Tile"], TAG);
}
