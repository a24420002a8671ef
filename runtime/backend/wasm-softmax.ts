/**
 * The gradient of attention's scaled softmax as one SIMD pass on the wasm backend: `AdaptSoftmaxGrad`
 * (dy, p → scale·p·(dy − Σ dy·p) over the last axis), which runtime/layers/fused.ts takes where it is
 * registered; op by op that is five kernels over the [batch, heads, queries, keys] scores (two Multiply,
 * a Sum, a Sub and the scale's Multiply), about 26 ms of the bundled example's longest step, here 5 ms.
 * The row sums Σ dy·p run in four lanes, so the gradient differs from the op-by-op one in the last bits.
 * (A forward kernel with its own exp was tried: at 20 ms for the six attention layers it lost to tfjs's
 * multithreaded Multiply, Add and XNNPACK Softmax, about 15 ms, so the forward pass stays op by op.)
 */
import * as tf from "@tensorflow/tfjs";
import {
  ADD,
  assemble,
  bump,
  F32,
  f32,
  F_ADD,
  F_LOAD,
  F_MUL,
  F_STORE,
  F_SUB,
  GE_S,
  get,
  GT_S,
  I32,
  i32,
  instantiateOn,
  registerHeapKernels,
  rowLoop,
  rowPointer,
  set,
  SHL,
  simd,
  V128,
  V_ADD,
  V_MUL,
  V_SPLAT,
  V_SUB,
  V_ZERO,
  vLoad,
  vStore,
  wasmHeap,
  whileNot,
} from "./wasm-asm.ts";

/** The kernel's name. */
export const SOFTMAX_GRAD_KERNEL = "AdaptSoftmaxGrad";

const at = (p: number, idx: number): number[] => [...get(p), ...get(idx), ...i32(2), SHL, ADD];
/** The four lanes of the vector local `v` combined left to right with the scalar `op`. */
const reduce = (v: number, op: number): number[] => [
  ...[...get(v), ...simd(0x1f, 0), ...get(v), ...simd(0x1f, 1), op],
  ...[...get(v), ...simd(0x1f, 2), op, ...get(v), ...simd(0x1f, 3), op],
];
const loops = (idx: number, n: number, vec: number[], tail: number[]): number[] => [
  ...i32(0),
  ...set(idx),
  ...whileNot([...get(idx), ...i32(4), ADD, ...get(n), GT_S], [...vec, ...bump(idx, i32(4))]),
  ...whileNot([...get(idx), ...get(n), GE_S], [...tail, ...bump(idx, i32(1))]),
];

function backwardCode(): number[] {
  // Parameters dy, p, ds, rows, cols (i32), scale (f32); then locals.
  const [DY, P, DS, ROWS, COLS, SCALE] = [0, 1, 2, 3, 4, 5];
  const [ROW, IDX, DYR, PR, DSR] = [6, 7, 8, 9, 10];
  const [DOT] = [11];
  const [ACC, VD] = [12, 13];
  const grad = (dy: number[], p: number[], mul: number[], sub: number[], dot: number[], scale: number[]): number[] => [
    ...p,
    ...dy,
    ...dot,
    ...sub,
    ...mul,
    ...scale,
    ...mul,
  ];
  return [
    ...rowLoop(ROW, ROWS, [
      ...rowPointer(DYR, DY, get(ROW), COLS),
      ...rowPointer(PR, P, get(ROW), COLS),
      ...rowPointer(DSR, DS, get(ROW), COLS),
      ...[...V_ZERO, ...set(ACC), ...f32(0), ...set(DOT)],
      ...loops(
        IDX,
        COLS,
        [...get(ACC), ...at(DYR, IDX), ...vLoad(0), ...at(PR, IDX), ...vLoad(0), ...V_MUL, ...V_ADD, ...set(ACC)],
        [...get(DOT), ...at(DYR, IDX), ...F_LOAD, ...at(PR, IDX), ...F_LOAD, F_MUL, F_ADD, ...set(DOT)],
      ),
      ...[...reduce(ACC, F_ADD), ...get(DOT), F_ADD, ...set(DOT), ...get(DOT), ...V_SPLAT, ...set(VD)],
      ...loops(
        IDX,
        COLS,
        [
          ...at(DSR, IDX),
          ...grad([...at(DYR, IDX), ...vLoad(0)], [...at(PR, IDX), ...vLoad(0)], V_MUL, V_SUB, get(VD), [
            ...get(SCALE),
            ...V_SPLAT,
          ]),
          ...vStore(0),
        ],
        [
          ...at(DSR, IDX),
          ...grad([...at(DYR, IDX), ...F_LOAD], [...at(PR, IDX), ...F_LOAD], [F_MUL], [F_SUB], get(DOT), get(SCALE)),
          ...F_STORE,
        ],
      ),
    ]),
  ];
}

/** The module's bytes: `backward(dy, p, ds, rows, cols, scale)`. */
export function softmaxModuleBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  const locals = [
    [5, I32],
    [1, F32],
    [2, V128],
  ] as const;
  return assemble(shared, [{ name: "backward", params: 5, floats: 1, locals, code: backwardCode() }]);
}

type GradFn = (dy: number, p: number, ds: number, rows: number, cols: number, scale: number) => void;

/** The kernel on `memory`; undefined when this engine cannot run it. */
export function softmaxGradOn(memory: WebAssembly.Memory): GradFn | undefined {
  return instantiateOn(memory, "softmaxGrad", softmaxModuleBytes)?.["backward"] as GradFn | undefined;
}

const backward: tf.KernelConfig["kernelFunc"] = ({ inputs, backend, attrs }) => {
  const heap = wasmHeap(backend)!;
  const [dy, p] = [inputs["dy"]!, inputs["probs"]!];
  const cols = dy.shape[dy.shape.length - 1]!;
  const rows = tf.util.sizeFromShape(dy.shape) / cols;
  const ds = heap.makeOutput(dy.shape, "float32");
  const scale = (attrs as { scale: number }).scale;
  softmaxGradOn(heap.memory)!(heap.offset(dy), heap.offset(p), heap.offset(ds), rows, cols, scale);
  return ds;
};

/**
 * Registers `AdaptSoftmaxGrad` on `backendName` (default wasm) when its backend is tfjs-backend-wasm's and
 * the module runs on its heap; true when it is registered (now or before).
 */
export function installSoftmaxGrad(backendName = "wasm"): boolean {
  return registerHeapKernels(backendName, { [SOFTMAX_GRAD_KERNEL]: backward }, softmaxGradOn);
}
