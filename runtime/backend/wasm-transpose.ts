/**
 * `Transpose` on the wasm backend for the permutations attention uses, [0, 2, 1, 3] (splitting the heads
 * out of [batch, seq, heads, size] and back) and [1, 0, 2], as row copies: the last axis stays in place,
 * so each of its rows moves whole, four floats per SIMD load and store. On the bundled example's longest
 * batch the 48 such transposes a step took 34 ms through tfjs-backend-wasm's general kernel. The result
 * is a copy, the stock kernel's bit for bit; other permutations and 1- or 2-byte dtypes run the stock one.
 */
import * as tf from "@tensorflow/tfjs";
import {
  ADD,
  assemble,
  bump,
  elementwiseLoop,
  fourBytes,
  GE_S,
  get,
  I32,
  i32,
  instantiateOn,
  MUL,
  set,
  SHL,
  V128,
  wasmHeap,
  whileNot,
} from "./wasm-asm.ts";
import { unwrapKernels, wrapKernels, type KernelFunc } from "./wrap-kernels.ts";

const TAG = Symbol.for("adapt.wasmTranspose");

// Parameters x, out, A, B, C, D; locals a, b, c, idx, src, dst, then a vector.
const [X, OUT, NA, NB, NC, ND, A, B, C, IDX, SRC, DST, V] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

/** `for (l = 0; l < n; l++) body`. */
const forLoop = (l: number, n: number, body: number[]): number[] => [
  ...i32(0),
  ...set(l),
  ...whileNot([...get(l), ...get(n), GE_S], [...body, ...bump(l, i32(1))]),
];
/** The byte address `base` + ((i·n1 + j)·n2 + k)·D floats. */
const address = (base: number, i: number, n1: number, j: number, n2: number, k: number): number[] => [
  ...get(base),
  ...[...get(i), ...get(n1), MUL, ...get(j), ADD, ...get(n2), MUL, ...get(k), ADD, ...get(ND), MUL],
  ...[...i32(2), SHL, ADD],
];

/** The module's bytes: `swap(x, out, A, B, C, D)` writes x [A, B, C, D] as out [A, C, B, D]. */
export function transposeModuleBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  const copyRow = elementwiseLoop(ND, IDX, [[SRC, V]], [], [[DST, V]]);
  const code = forLoop(
    A,
    NA,
    forLoop(
      B,
      NB,
      forLoop(C, NC, [
        ...address(X, A, NB, B, NC, C),
        ...set(SRC),
        ...address(OUT, A, NC, C, NB, B),
        ...set(DST),
        ...copyRow,
      ]),
    ),
  );
  const locals = [
    [6, I32],
    [1, V128],
  ] as const;
  return assemble(shared, [{ name: "swap", params: 6, locals, code }]);
}

type SwapFn = (x: number, out: number, a: number, b: number, c: number, d: number) => void;

/** The kernel on `memory`; undefined when this engine cannot run it. */
export function swapOn(memory: WebAssembly.Memory): SwapFn | undefined {
  return instantiateOn(memory, "swap", transposeModuleBytes)?.["swap"] as SwapFn | undefined;
}

/** [A, B, C, D] when `perm` of `shape` swaps two axes ahead of a last axis that stays, else undefined. */
export function swapDims(shape: readonly number[], perm: readonly number[]): number[] | undefined {
  if (shape.length === 4 && perm.join() === "0,2,1,3") return [...shape];
  if (shape.length === 3 && perm.join() === "1,0,2") return [1, ...shape];
  return undefined;
}

const transpose =
  (inner: KernelFunc): KernelFunc =>
  (args) => {
    const x = args.inputs["x"]!;
    const perm = (args.attrs as unknown as tf.TransposeAttrs).perm;
    const heap = wasmHeap(args.backend);
    const dims = swapDims(x.shape, perm);
    if (heap === undefined || dims === undefined || !fourBytes(x.dtype)) return inner(args);
    const swap = swapOn(heap.memory);
    if (swap === undefined) return inner(args);
    const out = heap.makeOutput(
      perm.map((p) => x.shape[p]!),
      x.dtype as "float32",
    );
    if (tf.util.sizeFromShape(x.shape) > 0)
      swap(heap.offset(x), heap.offset(out), dims[0]!, dims[1]!, dims[2]!, dims[3]!);
    return out;
  };

/** Makes `backendName`'s (default wasm) `Transpose` copy rows for attention's permutations (idempotent). */
export function installRowTranspose(backendName = "wasm"): void {
  wrapKernels(backendName, ["Transpose"], TAG, transpose);
}

/** Puts the stock `Transpose` back on `backendName` (benchmarks, tests); a no-op where not installed. */
export function uninstallRowTranspose(backendName = "wasm"): void {
  unwrapKernels(backendName, ["Transpose"], TAG);
}
