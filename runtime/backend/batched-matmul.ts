/**
 * Batched matMuls (attention's: both operands carry a batch) on the SIMD kernel of wasm-bmm.ts.
 * tfjs-backend-wasm hands XNNPACK only products whose operands have batch 1; any other goes to a scalar
 * triple loop on one thread (about 50 ms of CPU for one of attention's products of the bundled example's
 * longest batch). Per batch entry on XNNPACK it took 12-19 ms on the single-threaded build but 160-240 ms
 * on the threaded one, where every small product is a thread-pool dispatch; the kernel here takes the
 * operands where they lie in the backend's heap and writes the output there, on the calling thread.
 */
import type * as tf from "@tensorflow/tfjs";
import { bmmOn } from "./wasm-bmm.ts";

interface WasmModuleLike {
  wasmMemory?: unknown;
  asm?: { memory?: unknown };
}

/** The parts of tfjs-backend-wasm's BackendWasm used here. */
interface WasmBackendLike {
  wasm: WasmModuleLike;
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
}

/** The batch size when `a` [..., M, K] and `b` [..., K, N] share leading dimensions (product > 1), else 0. */
export function sharedBatch(a: tf.TensorInfo, b: tf.TensorInfo): number {
  const lead = a.shape.slice(0, -2);
  const same = lead.length === b.shape.length - 2 && lead.every((d, i) => d === b.shape[i]);
  const n = lead.reduce((x, y) => x * y, 1);
  return same && a.dtype === "float32" && b.dtype === "float32" && n > 1 ? n : 0;
}

/** The heap of a tfjs-backend-wasm module: exported by the single-threaded build, imported by the threaded. */
function heapOf(module: WasmModuleLike): WebAssembly.Memory | undefined {
  const m = module.wasmMemory ?? module.asm?.memory;
  return m instanceof WebAssembly.Memory ? m : undefined;
}

/**
 * a · b (untransposed, float32, the same leading dimensions of batch > 1) on the wasm backend `backend`,
 * by the SIMD kernel of wasm-bmm.ts on the backend's heap. Undefined when the backend is not
 * tfjs-backend-wasm's or the kernel cannot run here.
 */
export function batchedMatMul(backend: unknown, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo | undefined {
  const be = backend as Partial<WasmBackendLike>;
  if (be.wasm === undefined || be.dataIdMap === undefined || be.makeOutput === undefined) return undefined;
  const memory = heapOf(be.wasm);
  const kernel = memory === undefined ? undefined : bmmOn(memory);
  if (kernel === undefined) return undefined;
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  const out = be.makeOutput([...a.shape.slice(0, -2), m, n], "float32");
  const offset = (t: tf.TensorInfo): number => be.dataIdMap!.get(t.dataId)!.memoryOffset;
  kernel(offset(a), offset(b), offset(out), sharedBatch(a, b), m, k, n);
  return out;
}
