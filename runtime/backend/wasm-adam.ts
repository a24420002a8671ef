/**
 * One Adam/AdamW update of a variable as one SIMD pass on the wasm backend: the kernel `AdaptAdam` (inputs
 * v, g, m, s; outputs v', m', s'), which runtime/train/optimizer.ts takes where it is registered. Op by op
 * the update is thirteen tfjs kernels per variable, each on the threaded build an XNNPACK operator run
 * through the thread pool, which for the bundled example's 76 small variables cost about 37 ms of CPU a
 * step on 2 threads. The kernel does the same float32 operations in the same order, so its results are
 * the op-by-op results bit for bit:
 * m' = m·β1 + g·(1−β1), s' = s·β2 + g²·(1−β2), v' = v·decay − m' / (√s' + ε) · step, where g is the
 * gradient times `gradScale` (gradient clipping's factor, applied first as its Multiply kernel would).
 */
import * as tf from "@tensorflow/tfjs";
import {
  assemble,
  elementwiseLoop,
  get,
  I32,
  instantiateOn,
  registerHeapKernels,
  set,
  simd,
  V128,
  V_ADD,
  V_DIV,
  V_MUL,
  V_SPLAT,
  V_SUB,
  wasmHeap,
} from "./wasm-asm.ts";

/** The kernel's name. */
export const ADAM_KERNEL = "AdaptAdam";

/** The update's float32 constants, as the op-by-op update passes them. */
export interface AdamConstants {
  readonly beta1: number;
  readonly oneMinusBeta1: number;
  readonly beta2: number;
  readonly oneMinusBeta2: number;
  /** 1 − lr·weightDecay, or 1 where the variable takes no decay. */
  readonly decay: number;
  readonly stepSize: number;
  readonly epsilon: number;
  /** The factor the gradient is multiplied by first (gradient clipping), 1 when it is not clipped. */
  readonly gradScale: number;
}

const V_SQRT = simd(227);

// i32 parameters v, g, m, s, v', m', s', n; f32 parameters β1, 1−β1, β2, 1−β2, decay, step, ε, scale.
const [PV, PG, PM, PS, OV, OM, OS, N] = [0, 1, 2, 3, 4, 5, 6, 7];
const [B1, C1, B2, C2, DECAY, STEP, EPS, SCALE] = [8, 9, 10, 11, 12, 13, 14, 15];
const IDX = 16;
const [G, M, S, W] = [17, 18, 19, 20];

const splat = (p: number): number[] => [...get(p), ...V_SPLAT];

/** The module's bytes: `adam(v, g, m, s, v2, m2, s2, n, beta1, c1, beta2, c2, decay, step, eps, scale)`. */
export function adamModuleBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  const body = [
    ...[...get(G), ...splat(SCALE), ...V_MUL, ...set(G)],
    ...[...get(M), ...splat(B1), ...V_MUL, ...get(G), ...splat(C1), ...V_MUL, ...V_ADD, ...set(M)],
    ...[...get(S), ...splat(B2), ...V_MUL, ...get(G), ...get(G), ...V_MUL, ...splat(C2), ...V_MUL, ...V_ADD, ...set(S)],
    ...[...get(W), ...splat(DECAY), ...V_MUL],
    ...[
      ...get(M),
      ...get(S),
      ...V_SQRT,
      ...splat(EPS),
      ...V_ADD,
      ...V_DIV,
      ...splat(STEP),
      ...V_MUL,
      ...V_SUB,
      ...set(W),
    ],
  ];
  const code = elementwiseLoop(
    N,
    IDX,
    [
      [PV, W],
      [PG, G],
      [PM, M],
      [PS, S],
    ],
    body,
    [
      [OV, W],
      [OM, M],
      [OS, S],
    ],
  );
  const locals = [
    [1, I32],
    [4, V128],
  ] as const;
  return assemble(shared, [{ name: "adam", params: 8, floats: 8, locals, code }]);
}

type AdamFn = (...args: number[]) => void;

/** The kernel on `memory`; undefined when this engine cannot run it. */
export function adamOn(memory: WebAssembly.Memory): AdamFn | undefined {
  return instantiateOn(memory, "adam", adamModuleBytes)?.["adam"] as AdamFn | undefined;
}

const kernelFunc: tf.KernelConfig["kernelFunc"] = ({ inputs, backend, attrs }) => {
  const heap = wasmHeap(backend)!;
  const [v, g, m, s] = (["v", "g", "m", "s"] as const).map((k) => inputs[k]!);
  const outs = [v, m, s].map((t) => heap.makeOutput(t!.shape, "float32"));
  const c = attrs as unknown as AdamConstants;
  adamOn(heap.memory)!(
    ...[v!, g!, m!, s!, ...outs].map((t) => heap.offset(t)),
    tf.util.sizeFromShape(v!.shape),
    c.beta1,
    c.oneMinusBeta1,
    c.beta2,
    c.oneMinusBeta2,
    c.decay,
    c.stepSize,
    c.epsilon,
    c.gradScale,
  );
  return outs;
};

/**
 * Registers `AdaptAdam` on `backendName` (default wasm) when its backend is tfjs-backend-wasm's and the
 * module runs on its heap; true when it is registered (now or before).
 */
export function installAdam(backendName = "wasm"): boolean {
  return registerHeapKernels(backendName, { [ADAM_KERNEL]: kernelFunc }, adamOn);
}
