/**
 * Products by a frozen weight on the kernel of wasm-gemm.ts: a layer's forward product X·W (+ bias) and
 * its input gradient dY·Wᵀ. The weight is packed into panels once and kept while it lives (by
 * transposed-weights.ts, from its second sighting on, so a trained weight, new at every step, never is);
 * the product then runs on the kernel, in chunks of rows over the threads of the runner that wasm.ts set
 * for the heap (heap-pool.ts), or on the calling thread where the heap is not shared (the single-threaded
 * build, where XNNPACK runs one thread too). On a shared heap with no runner (a browser) XNNPACK keeps
 * them. The sums are XNNPACK's, bit for bit, unless the kernel fuses its multiply-adds (wasm-fma.ts).
 */
import type * as tf from "@tensorflow/tfjs";
import { columnBias } from "./batched-matmul.ts";
import { keptCopy } from "./transposed-weights.ts";
import { callShared, heapRunner, sharedMemory, type WasmHeap, wasmHeap } from "./wasm-asm.ts";
import { GEMM_PANEL, GEMM_ROWS, type GemmExports, gemmExports, gemmOn, packTransposed } from "./wasm-gemm.ts";

/** B [k, n] packed into panels (from W [n, k] when `transposed`), as a new tensor on the heap. */
function packed(
  heap: WasmHeap,
  kernel: GemmExports,
  b: tf.TensorInfo,
  k: number,
  n: number,
  transposed: boolean,
): tf.TensorInfo {
  const out = heap.makeOutput([k, n], "float32");
  if (transposed) packTransposed(new Float32Array(heap.memory.buffer), heap.offset(b) / 4, k, n, heap.offset(out) / 4);
  else kernel.pack(heap.offset(b), heap.offset(out));
  return out;
}

/**
 * bias + a · b (b transposed when `transposeB`), float32, on the kernel of wasm-gemm.ts, when `b` carries
 * no batch and a multiple of 8 columns, and `bias` (if any) holds one value per column; b's packed copy is
 * the kept one, or with `perCall` (b untransposed only) one packed for this product alone.
 * Undefined otherwise, for the caller's other kernels.
 */
export function denseMatMul(
  backend: unknown,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeB: boolean,
  bias?: tf.TensorInfo,
  perCall = false,
): tf.TensorInfo | undefined {
  const heap = wasmHeap(backend);
  if (heap === undefined || a.dtype !== "float32" || b.dtype !== "float32" || a.shape.length < 2) return undefined;
  if (b.shape.length < 2 || !b.shape.slice(0, -2).every((d) => d === 1)) return undefined;
  const [rows, cols] = b.shape.slice(-2) as [number, number];
  const [k, n] = transposeB ? [cols, rows] : [rows, cols];
  const m = a.shape.slice(0, -1).reduce((x, y) => x * y, 1);
  if (a.shape[a.shape.length - 1] !== k || k === 0 || m === 0 || n === 0 || n % GEMM_PANEL !== 0) return undefined;
  if (bias !== undefined && !columnBias(bias, n)) return undefined;
  if (heapRunner(heap.memory) === undefined && sharedMemory(heap.memory)) return undefined;
  const compiled = gemmOn(heap.memory, k, n);
  if (compiled === undefined) return undefined;
  const kernel = gemmExports(compiled);
  const variant = transposeB ? "panels of the transpose" : "panels";
  const kept = perCall ? undefined : keptCopy(backend, b, variant, () => packed(heap, kernel, b, k, n, transposeB));
  if (kept === undefined && (!perCall || transposeB)) return undefined;
  const panels = kept ?? packed(heap, kernel, b, k, n, false);
  const rank = Math.max(a.shape.length, b.shape.length);
  const lead = [...new Array<number>(rank - a.shape.length).fill(1), ...a.shape.slice(0, -2)];
  const out = heap.makeOutput([...lead, a.shape[a.shape.length - 2]!, n], "float32");
  const pointers = [heap.offset(a), heap.offset(panels), heap.offset(out), bias ? heap.offset(bias) : 0];
  const panelCount = n / GEMM_PANEL;
  callShared(heap.memory, compiled, "gemm", m, GEMM_ROWS, m * k * n, (r0, r1) => [...pointers, r0, r1, 0, panelCount]);
  if (kept === undefined) (backend as { disposeData(id: object): unknown }).disposeData(panels.dataId);
  return out;
}
