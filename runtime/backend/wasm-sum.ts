/**
 * `Sum` over leading axes on the wasm backend without a transpose. tfjs-backend-wasm 4.22 reduces only
 * innermost axes, so a sum over axes [0, 1] of a [32, 64, 384] gradient (every bias gradient, LayerNorm's
 * γ and β gradients) first transposes the whole tensor to [384, 2048]: on the bundled example's longest
 * batch the twelve adapter bias gradients alone took 83 ms a step. Here the rows are added into the
 * output one after another, four columns per SIMD add: each output is still 0 + x₀ + x₁ + ... in row
 * order, the order the stock kernel sums the transposed rows in, so the result is the stock kernel's bit
 * for bit. Other reductions (inner axes, all axes, axes out of order, other dtypes) run the stock kernel.
 */
import * as tf from "@tensorflow/tfjs";
import {
  assemble,
  bump,
  elementwiseLoop,
  GE_S,
  get,
  I32,
  i32,
  instantiateOn,
  rowPointer,
  set,
  V128,
  V_ADD,
  V_ZERO,
  wasmHeap,
  whileNot,
} from "./wasm-asm.ts";
import { unwrapKernels, wrapKernels, type KernelFunc } from "./wrap-kernels.ts";

const TAG = Symbol.for("adapt.wasmSum");

// Parameters x, out, rows, cols; locals row, idx, row pointer, then vectors.
const [X, OUT, ROWS, COLS, ROW, IDX, PTR, A, B] = [0, 1, 2, 3, 4, 5, 6, 7, 8];

/** The module's bytes: `colsum(x, out, rows, cols)`, byte offsets and counts. */
export function sumModuleBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  const zero = elementwiseLoop(COLS, IDX, [], [...V_ZERO, ...set(B)], [[OUT, B]]);
  const addRow = elementwiseLoop(
    COLS,
    IDX,
    [
      [PTR, A],
      [OUT, B],
    ],
    [...get(A), ...get(B), ...V_ADD, ...set(B)],
    [[OUT, B]],
  );
  const code = [
    ...zero,
    ...i32(0),
    ...set(ROW),
    ...whileNot(
      [...get(ROW), ...get(ROWS), GE_S],
      [...rowPointer(PTR, X, get(ROW), COLS), ...addRow, ...bump(ROW, i32(1))],
    ),
  ];
  const locals = [
    [3, I32],
    [2, V128],
  ] as const;
  return assemble(shared, [{ name: "colsum", params: 4, locals, code }]);
}

/** The kernel on `memory`; undefined when this engine cannot run it. */
export function colsumOn(
  memory: WebAssembly.Memory,
): ((x: number, out: number, rows: number, cols: number) => void) | undefined {
  return instantiateOn(memory, "colsum", sumModuleBytes)?.["colsum"] as
    ((x: number, out: number, rows: number, cols: number) => void) | undefined;
}

/**
 * k when `axes` are 0, 1, ..., k-1 in this order, else 0 (axes in another order make the stock kernel
 * transpose them in that order, which changes the order of the additions).
 */
export function leadingAxes(axes: readonly number[]): number {
  return axes.every((a, i) => a === i) ? axes.length : 0;
}

const sum =
  (inner: KernelFunc): KernelFunc =>
  (args) => {
    const x = args.inputs["x"]!;
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    const heap = wasmHeap(args.backend);
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const k = leadingAxes(axes);
    if (heap === undefined || x.dtype !== "float32" || k === 0 || k === x.shape.length) return inner(args);
    const rows = x.shape.slice(0, k).reduce((a, b) => a * b, 1);
    const rest = x.shape.slice(k);
    const cols = rest.reduce((a, b) => a * b, 1);
    const colsum = colsumOn(heap.memory);
    if (colsum === undefined || rows * cols === 0) return inner(args);
    const out = heap.makeOutput(keepDims ? [...x.shape.slice(0, k).map(() => 1), ...rest] : rest, "float32");
    colsum(heap.offset(x), heap.offset(out), rows, cols);
    return out;
  };

/** Makes `backendName`'s (default wasm) `Sum` reduce leading axes without a transpose (idempotent). */
export function installLeadingSum(backendName = "wasm"): void {
  wrapKernels(backendName, ["Sum"], TAG, sum);
}

/** Puts the stock `Sum` back on `backendName` (benchmarks, tests); a no-op where not installed. */
export function uninstallLeadingSum(backendName = "wasm"): void {
  unwrapKernels(backendName, ["Sum"], TAG);
}
