/**
 * GELU (exact erf form) and its gradient as one SIMD pass each on the wasm backend, as the kernels
 * `AdaptGelu` (x → x·Φ(x)) and `AdaptGeluGrad` (x, dy → dy·(Φ(x) + x·φ(x))), and for training
 * `AdaptGeluTrain` (x → x·Φ(x) and the slope Φ(x) + x·φ(x), so that the gradient is one multiply by dy,
 * bit for bit AdaptGeluGrad's), which runtime/layers/fused.ts takes where they are registered. Op by op, tfjs runs five kernels forward and eleven backward over the
 * feed-forward's [tokens, 1536] activations, its scalar `Erf` alone about 11 ns an element; here Φ comes
 * from Abramowitz and Stegun's 7.1.26 (as tfjs's cpu backend computes erf; absolute error under 1.5e-7)
 * and exp(-x²/2), which φ shares, from Cephes' expf polynomial.
 */
import * as tf from "@tensorflow/tfjs";
import {
  assemble,
  elementwiseLoop,
  get,
  I32,
  i32,
  callShared,
  heapKernel,
  instantiateOn,
  registerHeapKernels,
  set,
  simd,
  V128,
  V_ADD,
  V_DIV,
  V_MUL,
  V_SUB,
  wasmHeap,
} from "./wasm-asm.ts";

/** The forward kernel's name. */
export const GELU_KERNEL = "AdaptGelu";
/** The gradient kernel's name. */
export const GELU_GRAD_KERNEL = "AdaptGeluGrad";
/** The training forward kernel's name (outputs the value and the slope). */
export const GELU_TRAIN_KERNEL = "AdaptGeluTrain";

const vConst = (f: number, int = false): number[] =>
  simd(0x0c, ...new Uint8Array((int ? Int32Array : Float32Array).from([f, f, f, f]).buffer));
/** f32x4.pmax (b > a ? b : a): as f32x4.max(a, b) for a = -x²/2 and b = -87, NaN included, in one instruction. */
const V_PMAX = simd(0xeb);
const V_ABS = simd(224);
const V_NEAREST = simd(0x6a);
const V_LT = simd(0x43);
const I_SUB = simd(0xb1);
const I_SHL = simd(0xab);
/** 1.5·2²³: an integer n in [-2²², 2²²] added to it leaves n in the low bits (the bits of 1.5·2²³ + n). */
const MAGIC = 12582912;
const BITSELECT = simd(0x52);

const P = 0.3275911 / Math.SQRT2;
const A = [1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592];
const EXP = [1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];

// Parameters: x, y (gelu), x, dy, dx (gradient) or x, y, slope (training), then n; locals after them.
const [XV, T, Q, U, NN, R, E, PHI, DYV, OUT, SL] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

/** Horner's rule over `coef` (highest first) in the vector local `v`, leaving the value on the stack. */
const horner = (coef: number[], v: number): number[] =>
  coef.slice(1).reduce((code, c) => [...code, ...get(v), ...V_MUL, ...vConst(c), ...V_ADD], vConst(coef[0]!));

/** From the vector local XV (at local index `base` + XV): Φ(x) into PHI and exp(-x²/2) into E. */
function phiAndExp(base: number): number[] {
  const l = (i: number): number => base + i;
  return [
    ...vConst(1),
    ...vConst(1),
    ...get(l(XV)),
    ...V_ABS,
    ...vConst(P),
    ...V_MUL,
    ...V_ADD,
    ...V_DIV,
    ...set(l(T)),
    ...horner(A, l(T)),
    ...get(l(T)),
    ...V_MUL,
    ...set(l(Q)),
    ...get(l(XV)),
    ...get(l(XV)),
    ...V_MUL,
    ...vConst(-0.5),
    ...V_MUL,
    ...vConst(-87),
    ...V_PMAX,
    ...set(l(U)),
    ...get(l(U)),
    ...vConst(Math.LOG2E),
    ...V_MUL,
    ...V_NEAREST,
    ...set(l(NN)),
    ...get(l(U)),
    ...get(l(NN)),
    ...vConst(0.693359375),
    ...V_MUL,
    ...V_SUB,
    ...get(l(NN)),
    ...vConst(-2.1219444e-4),
    ...V_MUL,
    ...V_SUB,
    ...set(l(R)),
    ...horner(EXP, l(R)),
    ...get(l(R)),
    ...V_MUL,
    ...get(l(R)),
    ...V_MUL,
    ...get(l(R)),
    ...V_ADD,
    ...vConst(1),
    ...V_ADD,
    ...get(l(NN)),
    ...vConst(MAGIC),
    ...V_ADD,
    ...vConst(0x4b400000 - 127, true),
    ...I_SUB,
    ...i32(23),
    ...I_SHL,
    ...V_MUL,
    ...set(l(E)),
    ...vConst(0.5),
    ...get(l(Q)),
    ...V_MUL,
    ...get(l(E)),
    ...V_MUL,
    ...set(l(Q)),
    ...get(l(Q)),
    ...vConst(1),
    ...get(l(Q)),
    ...V_SUB,
    ...get(l(XV)),
    ...vConst(0),
    ...V_LT,
    ...BITSELECT,
    ...set(l(PHI)),
  ];
}

/** Φ(x) + x·φ(x) from the locals PHI, XV and E (at local index `base` + each). */
const slope = (base: number): number[] => [
  ...get(base + PHI),
  ...get(base + XV),
  ...get(base + E),
  ...V_MUL,
  ...vConst(1 / Math.sqrt(2 * Math.PI)),
  ...V_MUL,
  ...V_ADD,
];

/**
 * The module's bytes: `gelu(x, y, n)`, `geluGrad(x, dy, dx, n)` and `geluSlope(x, y, slope, n)`, byte
 * offsets and an element count.
 */
export function geluModuleBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  const locals = [
    [1, I32],
    [11, V128],
  ] as const;
  const v = (params: number, local: number): number[] => get(params + 1 + local);
  const gelu = elementwiseLoop(
    2,
    3,
    [[0, 4 + XV]],
    [...phiAndExp(4), ...v(3, XV), ...v(3, PHI), ...V_MUL, ...set(4 + OUT)],
    [[1, 4 + OUT]],
  );
  const grad = elementwiseLoop(
    3,
    4,
    [
      [0, 5 + XV],
      [1, 5 + DYV],
    ],
    [...phiAndExp(5), ...v(4, DYV), ...slope(5), ...V_MUL, ...set(5 + OUT)],
    [[2, 5 + OUT]],
  );
  const withSlope = elementwiseLoop(
    3,
    4,
    [[0, 5 + XV]],
    [...phiAndExp(5), ...v(4, XV), ...v(4, PHI), ...V_MUL, ...set(5 + OUT), ...slope(5), ...set(5 + SL)],
    [
      [1, 5 + OUT],
      [2, 5 + SL],
    ],
  );
  return assemble(shared, [
    { name: "gelu", params: 3, locals, code: gelu },
    { name: "geluGrad", params: 4, locals, code: grad },
    { name: "geluSlope", params: 4, locals, code: withSlope },
  ]);
}

/** The two kernels on `memory`; undefined when this engine cannot run them. */
export function geluOn(memory: WebAssembly.Memory):
  | {
      gelu(x: number, y: number, n: number): void;
      geluGrad(x: number, dy: number, dx: number, n: number): void;
      geluSlope(x: number, y: number, slope: number, n: number): void;
    }
  | undefined {
  const e = instantiateOn(memory, "gelu", geluModuleBytes);
  return e === undefined ? undefined : (e as unknown as ReturnType<typeof geluOn>);
}

/** Calls `name` of the module on `memory` over n elements, in shares of whole cache lines over the threads. */
function elementwise(memory: WebAssembly.Memory, name: string, n: number, pointers: readonly number[]): void {
  const kernel = heapKernel(memory, "gelu", geluModuleBytes)!;
  callShared(memory, kernel, name, n, 16, 16 * n, (start, end) => [...pointers.map((p) => p + 4 * start), end - start]);
}

const forward: tf.KernelConfig["kernelFunc"] = ({ inputs, backend }) => {
  const heap = wasmHeap(backend)!;
  const x = inputs["x"]!;
  const out = heap.makeOutput(x.shape, "float32");
  elementwise(heap.memory, "gelu", tf.util.sizeFromShape(x.shape), [heap.offset(x), heap.offset(out)]);
  return out;
};

const backward: tf.KernelConfig["kernelFunc"] = ({ inputs, backend }) => {
  const heap = wasmHeap(backend)!;
  const x = inputs["x"]!;
  const out = heap.makeOutput(x.shape, "float32");
  const pointers = [heap.offset(x), heap.offset(inputs["dy"]!), heap.offset(out)];
  elementwise(heap.memory, "geluGrad", tf.util.sizeFromShape(x.shape), pointers);
  return out;
};

const training: tf.KernelConfig["kernelFunc"] = ({ inputs, backend }) => {
  const heap = wasmHeap(backend)!;
  const x = inputs["x"]!;
  const [y, d] = [heap.makeOutput(x.shape, "float32"), heap.makeOutput(x.shape, "float32")];
  const pointers = [heap.offset(x), heap.offset(y), heap.offset(d)];
  elementwise(heap.memory, "geluSlope", tf.util.sizeFromShape(x.shape), pointers);
  return [y, d];
};

/**
 * Registers `AdaptGelu`, `AdaptGeluGrad` and `AdaptGeluTrain` on `backendName` (default wasm) when its backend is
 * tfjs-backend-wasm's and the module runs on its heap; true when they are registered (now or before).
 */
export function installGelu(backendName = "wasm"): boolean {
  return registerHeapKernels(
    backendName,
    { [GELU_KERNEL]: forward, [GELU_GRAD_KERNEL]: backward, [GELU_TRAIN_KERNEL]: training },
    geluOn,
  );
}
