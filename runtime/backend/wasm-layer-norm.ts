/**
 * LayerNorm over the last axis as one SIMD pass each way on the wasm backend: `AdaptLayerNorm` (x, γ, β →
 * y, x̂, rstd) and `AdaptLayerNormGrad` (dy, x̂, rstd, γ → dx, dγ, dβ), which runtime/layers/layer-norm.ts
 * takes where they are registered. Op by op a layer norm is about a dozen kernels forward and fifteen
 * backward (moments, centring, scaling; the analytic gradient's sums and products): for the bundled
 * example's 13 layer norms about 340 kernel launches a step, with the [batch, seq, d] tensor read and
 * written once per kernel. Here each row is reduced with four-lane sums (so the mean, variance and the
 * gradient's two row means differ from the op-by-op sequential sums in the last bits), and dγ = Σ dy·x̂,
 * dβ = Σ dy are added row after row, as the op-by-op column sums add them. Forward:
 * x̂ = (x − mean)·r with r = 1/√(var + ε), y = x̂·γ + β; backward: g = dy·γ,
 * dx = r·((g − mean(g)) − x̂·mean(g·x̂)).
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

/** The forward kernel's name. */
export const LAYER_NORM_KERNEL = "AdaptLayerNorm";
/** The gradient kernel's name. */
export const LAYER_NORM_GRAD_KERNEL = "AdaptLayerNormGrad";

const [F_SQRT, F_DIV] = [0x91, 0x95];
const F_CONVERT_I32 = 0xb2;
const lane = (v: number, l: number): number[] => [...get(v), ...simd(0x1f, l)];
/** ((v₀ + v₁) + v₂) + v₃ of the vector local `v`. */
const hsum = (v: number): number[] => [...lane(v, 0), ...lane(v, 1), F_ADD, ...lane(v, 2), F_ADD, ...lane(v, 3), F_ADD];
/** The byte address of float `idx` from the pointer local `p`. */
const at = (p: number, idx: number): number[] => [...get(p), ...get(idx), ...i32(2), SHL, ADD];
/** `idx = 0`, then `body` for idx = 0, 4, ... while four floats are left of `n`. */
const vecLoop = (idx: number, n: number, body: number[]): number[] => [
  ...i32(0),
  ...set(idx),
  ...whileNot([...get(idx), ...i32(4), ADD, ...get(n), GT_S], [...body, ...bump(idx, i32(4))]),
];
/** `body` for the floats from `idx` up to `n`, one at a time. */
const tailLoop = (idx: number, n: number, body: number[]): number[] =>
  whileNot([...get(idx), ...get(n), GE_S], [...body, ...bump(idx, i32(1))]);

function forwardCode(): number[] {
  // Parameters x, γ, β, y, x̂, rstd, rows, cols (i32), ε (f32); then locals.
  const [X, GA, BE, Y, XH, RS, ROWS, COLS, EPS] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [ROW, IDX, XR, YR, HR] = [9, 10, 11, 12, 13];
  const [S, MEAN, R, N, D] = [14, 15, 16, 17, 18];
  const [ACC, MV, RV, H, T] = [19, 20, 21, 22, 23];
  const centred = [...at(XR, IDX), ...vLoad(0), ...get(MV), ...V_SUB];
  const centredScalar = [...at(XR, IDX), ...F_LOAD, ...get(MEAN), F_SUB];
  return [
    ...get(COLS),
    F_CONVERT_I32,
    ...set(N),
    ...rowLoop(ROW, ROWS, [
      ...rowPointer(XR, X, get(ROW), COLS),
      ...rowPointer(YR, Y, get(ROW), COLS),
      ...rowPointer(HR, XH, get(ROW), COLS),
      ...V_ZERO,
      ...set(ACC),
      ...vecLoop(IDX, COLS, [...get(ACC), ...at(XR, IDX), ...vLoad(0), ...V_ADD, ...set(ACC)]),
      ...hsum(ACC),
      ...set(S),
      ...tailLoop(IDX, COLS, [...get(S), ...at(XR, IDX), ...F_LOAD, F_ADD, ...set(S)]),
      ...get(S),
      ...get(N),
      F_DIV,
      ...set(MEAN),
      ...get(MEAN),
      ...V_SPLAT,
      ...set(MV),
      ...V_ZERO,
      ...set(ACC),
      ...vecLoop(IDX, COLS, [
        ...centred,
        ...set(T),
        ...get(ACC),
        ...get(T),
        ...get(T),
        ...V_MUL,
        ...V_ADD,
        ...set(ACC),
      ]),
      ...hsum(ACC),
      ...set(S),
      ...tailLoop(IDX, COLS, [...centredScalar, ...set(D), ...get(S), ...get(D), ...get(D), F_MUL, F_ADD, ...set(S)]),
      ...[...f32(1), ...get(S), ...get(N), F_DIV, ...get(EPS), F_ADD, F_SQRT, F_DIV, ...set(R)],
      ...[...get(RS), ...get(ROW), ...i32(2), SHL, ADD, ...get(R), ...F_STORE],
      ...get(R),
      ...V_SPLAT,
      ...set(RV),
      ...vecLoop(IDX, COLS, [
        ...[...centred, ...get(RV), ...V_MUL, ...set(H)],
        ...[...at(HR, IDX), ...get(H), ...vStore(0)],
        ...[...at(YR, IDX), ...get(H), ...at(GA, IDX), ...vLoad(0), ...V_MUL, ...at(BE, IDX), ...vLoad(0), ...V_ADD],
        ...vStore(0),
      ]),
      ...tailLoop(IDX, COLS, [
        ...[...centredScalar, ...get(R), F_MUL, ...set(D)],
        ...[...at(HR, IDX), ...get(D), ...F_STORE],
        ...[...at(YR, IDX), ...get(D), ...at(GA, IDX), ...F_LOAD, F_MUL, ...at(BE, IDX), ...F_LOAD, F_ADD, ...F_STORE],
      ]),
    ]),
  ];
}

function backwardCode(): number[] {
  // Parameters dy, x̂, rstd, γ, dx, dγ, dβ, rows, cols (i32); then locals.
  const [DY, XH, RS, GA, DX, DG, DB, ROWS, COLS] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [ROW, IDX, DYR, HR, DXR] = [9, 10, 11, 12, 13];
  const [S1, S2, MG, MGX, R, N, G, D, H] = [14, 15, 16, 17, 18, 19, 20, 21, 22];
  const [A1, A2, VG, VD, VH, VMG, VMGX, VR] = [23, 24, 25, 26, 27, 28, 29, 30];
  const accumulate = (p: number, value: number[]): number[] => [
    ...at(p, IDX),
    ...at(p, IDX),
    ...vLoad(0),
    ...value,
    ...V_ADD,
    ...vStore(0),
  ];
  const accumulateScalar = (p: number, value: number[]): number[] => [
    ...at(p, IDX),
    ...at(p, IDX),
    ...F_LOAD,
    ...value,
    F_ADD,
    ...F_STORE,
  ];
  return [
    ...get(COLS),
    F_CONVERT_I32,
    ...set(N),
    ...vecLoop(IDX, COLS, [...at(DG, IDX), ...V_ZERO, ...vStore(0), ...at(DB, IDX), ...V_ZERO, ...vStore(0)]),
    ...tailLoop(IDX, COLS, [...at(DG, IDX), ...i32(0), 0xb2, ...F_STORE, ...at(DB, IDX), ...i32(0), 0xb2, ...F_STORE]),
    ...rowLoop(ROW, ROWS, [
      ...rowPointer(DYR, DY, get(ROW), COLS),
      ...rowPointer(HR, XH, get(ROW), COLS),
      ...rowPointer(DXR, DX, get(ROW), COLS),
      ...[...V_ZERO, ...set(A1), ...V_ZERO, ...set(A2)],
      ...vecLoop(IDX, COLS, [
        ...[...at(DYR, IDX), ...vLoad(0), ...set(VD), ...at(HR, IDX), ...vLoad(0), ...set(VH)],
        ...[...get(VD), ...at(GA, IDX), ...vLoad(0), ...V_MUL, ...set(VG)],
        ...[...get(A1), ...get(VG), ...V_ADD, ...set(A1)],
        ...[...get(A2), ...get(VG), ...get(VH), ...V_MUL, ...V_ADD, ...set(A2)],
        ...accumulate(DG, [...get(VD), ...get(VH), ...V_MUL]),
        ...accumulate(DB, get(VD)),
      ]),
      ...[...hsum(A1), ...set(S1), ...hsum(A2), ...set(S2)],
      ...tailLoop(IDX, COLS, [
        ...[...at(DYR, IDX), ...F_LOAD, ...set(D), ...at(HR, IDX), ...F_LOAD, ...set(H)],
        ...[...get(D), ...at(GA, IDX), ...F_LOAD, F_MUL, ...set(G)],
        ...[...get(S1), ...get(G), F_ADD, ...set(S1)],
        ...[...get(S2), ...get(G), ...get(H), F_MUL, F_ADD, ...set(S2)],
        ...accumulateScalar(DG, [...get(D), ...get(H), F_MUL]),
        ...accumulateScalar(DB, get(D)),
      ]),
      ...[...get(S1), ...get(N), F_DIV, ...set(MG), ...get(S2), ...get(N), F_DIV, ...set(MGX)],
      ...[...get(RS), ...get(ROW), ...i32(2), SHL, ADD, ...F_LOAD, ...set(R)],
      ...[
        ...get(MG),
        ...V_SPLAT,
        ...set(VMG),
        ...get(MGX),
        ...V_SPLAT,
        ...set(VMGX),
        ...get(R),
        ...V_SPLAT,
        ...set(VR),
      ],
      ...vecLoop(IDX, COLS, [
        ...at(DXR, IDX),
        ...get(VR),
        ...[...at(DYR, IDX), ...vLoad(0), ...at(GA, IDX), ...vLoad(0), ...V_MUL, ...get(VMG), ...V_SUB],
        ...[...at(HR, IDX), ...vLoad(0), ...get(VMGX), ...V_MUL, ...V_SUB],
        ...V_MUL,
        ...vStore(0),
      ]),
      ...tailLoop(IDX, COLS, [
        ...at(DXR, IDX),
        ...get(R),
        ...[...at(DYR, IDX), ...F_LOAD, ...at(GA, IDX), ...F_LOAD, F_MUL, ...get(MG), F_SUB],
        ...[...at(HR, IDX), ...F_LOAD, ...get(MGX), F_MUL, F_SUB],
        F_MUL,
        ...F_STORE,
      ]),
    ]),
  ];
}

/** The module's bytes: `forward(x, γ, β, y, x̂, rstd, rows, cols, ε)` and `backward(dy, x̂, rstd, γ, dx, dγ, dβ, rows, cols)`. */
export function layerNormModuleBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  return assemble(shared, [
    {
      name: "forward",
      params: 8,
      floats: 1,
      locals: [
        [5, I32],
        [5, F32],
        [5, V128],
      ],
      code: forwardCode(),
    },
    {
      name: "backward",
      params: 9,
      locals: [
        [5, I32],
        [9, F32],
        [8, V128],
      ],
      code: backwardCode(),
    },
  ]);
}

interface LayerNormFns {
  forward(...args: number[]): void;
  backward(...args: number[]): void;
}

/** The two kernels on `memory`; undefined when this engine cannot run them. */
export function layerNormOn(memory: WebAssembly.Memory): LayerNormFns | undefined {
  return instantiateOn(memory, "layerNorm", layerNormModuleBytes) as LayerNormFns | undefined;
}

const forward: tf.KernelConfig["kernelFunc"] = ({ inputs, backend, attrs }) => {
  const heap = wasmHeap(backend)!;
  const x = inputs["x"]!;
  const cols = x.shape[x.shape.length - 1]!;
  const rows = tf.util.sizeFromShape(x.shape) / cols;
  const y = heap.makeOutput(x.shape, "float32");
  const xhat = heap.makeOutput(x.shape, "float32");
  const rstd = heap.makeOutput([...x.shape.slice(0, -1), 1], "float32");
  const [o, g, b] = [x, inputs["gamma"]!, inputs["beta"]!].map((t) => heap.offset(t));
  const eps = (attrs as { epsilon: number }).epsilon;
  layerNormOn(heap.memory)!.forward(o!, g!, b!, heap.offset(y), heap.offset(xhat), heap.offset(rstd), rows, cols, eps);
  return [y, xhat, rstd];
};

const backward: tf.KernelConfig["kernelFunc"] = ({ inputs, backend }) => {
  const heap = wasmHeap(backend)!;
  const [dy, xhat, rstd, gamma] = (["dy", "xhat", "rstd", "gamma"] as const).map((k) => inputs[k]!);
  const cols = dy!.shape[dy!.shape.length - 1]!;
  const rows = tf.util.sizeFromShape(dy!.shape) / cols;
  const outs = [dy!.shape, gamma!.shape, gamma!.shape].map((s) => heap.makeOutput(s, "float32"));
  const ptrs = [dy!, xhat!, rstd!, gamma!, ...outs].map((t) => heap.offset(t));
  layerNormOn(heap.memory)!.backward(...ptrs, rows, cols);
  return outs;
};

/**
 * Registers `AdaptLayerNorm` and `AdaptLayerNormGrad` on `backendName` (default wasm) when its backend is
 * tfjs-backend-wasm's and the module runs on its heap; true when they are registered (now or before).
 */
export function installLayerNorm(backendName = "wasm"): boolean {
  return registerHeapKernels(
    backendName,
    { [LAYER_NORM_KERNEL]: forward, [LAYER_NORM_GRAD_KERNEL]: backward },
    layerNormOn,
  );
}
