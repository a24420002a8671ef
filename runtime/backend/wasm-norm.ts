/**
 * The global L2 norm of a list of gradients as one kernel on the wasm backend, `AdaptGlobalNorm` (inputs
 * named "0", "1", ...; output a float32 scalar), which runtime/train/optimizer.ts takes for gradient
 * clipping where it is registered. Op by op the norm is a Square, a Sum and an Add per gradient and a
 * Sqrt: for the bundled example's 76 gradients about 230 kernel launches a step, each costing more than
 * its arithmetic. The kernel does the same float32 operations in the same order (each gradient's squares
 * summed from its first element to its last, as the wasm Sum kernel does, then the sums added left to
 * right and the square root taken), so the norm is the op-by-op one bit for bit. Each gradient's sum is
 * a scalar WebAssembly loop on purpose (a vectorised sum would change the order of the additions); the
 * gradients are shared among the heap's threads (heap-pool.ts) in chunks of whole gradients when there
 * are enough elements, and their sums added in order in JavaScript.
 */
import * as tf from "@tensorflow/tfjs";
import {
  ADD,
  assemble,
  bump,
  callShared,
  F32,
  f32,
  F_ADD,
  F_LOAD,
  F_MUL,
  fStore,
  GE_U,
  get,
  type HeapKernel,
  heapKernel,
  I32,
  i32,
  iLoad,
  MUL,
  registerHeapKernels,
  set,
  wasmHeap,
  whileNot,
} from "./wasm-asm.ts";

/** The kernel's name. */
export const GLOBAL_NORM_KERNEL = "AdaptGlobalNorm";

const f = Math.fround;

// sumsq(table, t0, t1): locals entry, pointer, end, then the sum and an element.
const [TABLE, T0, T1, ENTRY, P, END, S, X] = [0, 1, 2, 3, 4, 5, 6, 7];

/**
 * The module's bytes: `sumsq(table, t0, t1)` sets, for each entry t in [t0, t1) of the table (12 bytes
 * an entry: a byte offset, an element count and room for a float32), the float32 Σ x_i² of those elements
 * in index order.
 */
export function normModuleBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  const squares = whileNot(
    [...get(P), ...get(END), GE_U],
    [...get(P), ...F_LOAD, ...set(X), ...get(S), ...get(X), ...get(X), F_MUL, F_ADD, ...set(S), ...bump(P, i32(4))],
  );
  const entry = [
    ...[...get(ENTRY), ...iLoad(0), ...set(P)],
    ...[...get(P), ...get(ENTRY), ...iLoad(4), ...i32(4), MUL, ADD, ...set(END)],
    ...[...f32(0), ...set(S), ...squares],
    ...[...get(ENTRY), ...get(S), ...fStore(8), ...bump(ENTRY, i32(12))],
  ];
  const code = [
    ...[...get(TABLE), ...get(T0), ...i32(12), MUL, ADD, ...set(ENTRY)],
    ...whileNot([...get(T0), ...get(T1), GE_U], [...entry, ...bump(T0, i32(1))]),
  ];
  const locals = [
    [3, I32],
    [2, F32],
  ] as const;
  return assemble(shared, [{ name: "sumsq", params: 3, locals, code }]);
}

/** The module on `memory` (once per memory); undefined when this engine cannot run it. */
export function normKernel(memory: WebAssembly.Memory): HeapKernel | undefined {
  return heapKernel(memory, "sumsq", normModuleBytes);
}

const kernelFunc: tf.KernelConfig["kernelFunc"] = ({ inputs, backend }) => {
  const heap = wasmHeap(backend)!;
  const kernel = normKernel(heap.memory)!;
  const xs = Object.keys(inputs)
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => inputs[k]!);
  const out = heap.makeOutput([], "float32");
  const table = heap.makeOutput([3 * Math.max(1, xs.length)], "float32");
  const at = heap.offset(table);
  const words = new Int32Array(heap.memory.buffer, at, 3 * xs.length);
  let elements = 0;
  xs.forEach((x, t) => {
    const n = tf.util.sizeFromShape(x.shape);
    [words[3 * t], words[3 * t + 1]] = [heap.offset(x), n];
    elements += n;
  });
  callShared(heap.memory, kernel, "sumsq", xs.length, 1, 4 * elements, (t0, t1) => [at, t0, t1]);
  const sums = new Float32Array(heap.memory.buffer, at, 3 * xs.length);
  let total = 0;
  for (let t = 0; t < xs.length; t++) total = t === 0 ? sums[3 * t + 2]! : f(total + sums[3 * t + 2]!);
  new Float32Array(heap.memory.buffer)[heap.offset(out) >> 2] = f(Math.sqrt(total));
  (backend as { disposeData(id: object): unknown }).disposeData(table.dataId);
  return out;
};

/**
 * Registers `AdaptGlobalNorm` on `backendName` (default wasm) when its backend is tfjs-backend-wasm's;
 * true when it is registered (now or before).
 */
export function installGlobalNorm(backendName = "wasm"): boolean {
  return registerHeapKernels(backendName, { [GLOBAL_NORM_KERNEL]: kernelFunc }, normKernel);
}
