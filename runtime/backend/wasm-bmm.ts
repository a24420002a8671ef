/**
 * A batched matMul kernel in WebAssembly SIMD that runs on the wasm backend's own heap. tfjs-backend-wasm
 * runs a product whose operands both carry a batch (attention's) as a scalar loop on one thread, and
 * XNNPACK per batch entry pays an operator's creation and, on the threaded build, a thread-pool dispatch
 * for every small product (measured: 8-10x more CPU time than on one thread). This module is assembled
 * here, byte by byte, and instantiated on the backend's WebAssembly.Memory (shared on the threaded build),
 * so it reads the operands and writes the result in place: no copies, no threads. Each output element is
 * the sum of a[i, p] * b[p, j] over p in order, from zero (`bmm`) or from a bias (`bmmBias`, as XNNPACK
 * starts a product with a bias), in float32, four and sixteen columns at a time; the vector columns round
 * once per step where the products are fused (wasm-fma.ts).
 */

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
  GE_S,
  get,
  GT_S,
  I32,
  i32,
  type HeapKernel,
  heapKernel,
  MUL,
  rowPointer,
  set,
  SHL,
  V128,
  V_SPLAT,
  V_ZERO,
  vLoad,
  vMulAdd,
  vStore,
  whileNot,
} from "./wasm-asm.ts";
import { fusedProducts } from "./wasm-fma.ts";

// Parameters: a, b, c (byte offsets), g, m, k, n, bias (a byte offset; read by `bmmBias` only); then the locals.
const [A, B, C, G, M, K, N, BIAS] = [0, 1, 2, 3, 4, 5, 6, 7];
const [GI, I, J, P, AP, BP, AROW, CROW, NB] = [8, 9, 10, 11, 12, 13, 14, 15, 16];
const S = 17;
const ACC = [18, 19, 20, 21];
const AV = 22;

/** The accumulators' start: zero, or the bias at columns j... */
function initial(width: 16 | 4 | 1, accs: number[], bias: boolean): number[] {
  const at = [...get(BIAS), ...get(J), ...i32(2), SHL, ADD];
  if (width === 1) return [...(bias ? [...at, ...F_LOAD] : f32(0)), ...set(S)];
  return accs.flatMap((l, q) => [...(bias ? [...at, ...vLoad(16 * q)] : V_ZERO), ...set(l)]);
}

/**
 * The inner product loop over p for `width` columns from j: accumulators in ACC (vectors) or S (scalar),
 * starting from zero or from the bias.
 */
function columns(width: 16 | 4 | 1, bias: boolean, fused: boolean): number[] {
  const accs = width === 1 ? [S] : ACC.slice(0, width / 4);
  const init = initial(width, accs, bias);
  const start = [...get(AROW), ...set(AP), ...get(B), ...get(J), ...i32(2), SHL, ADD, ...set(BP), ...i32(0), ...set(P)];
  const step =
    width === 1
      ? [...get(S), ...get(AP), ...F_LOAD, ...get(BP), ...F_LOAD, F_MUL, F_ADD, ...set(S)]
      : [
          ...get(AP),
          ...F_LOAD,
          ...V_SPLAT,
          ...set(AV),
          ...accs.flatMap((l, q) => [...vMulAdd(fused, get(l), get(AV), [...get(BP), ...vLoad(16 * q)]), ...set(l)]),
        ];
  const inner = whileNot(
    [...get(P), ...get(K), GE_S],
    [...step, ...bump(AP, i32(4)), ...bump(BP, get(NB)), ...bump(P, i32(1))],
  );
  const out = [...get(CROW), ...get(J), ...i32(2), SHL, ADD];
  const store =
    width === 1 ? [...out, ...get(S), ...F_STORE] : accs.flatMap((l, q) => [...out, ...get(l), ...vStore(16 * q)]);
  return whileNot(
    [...get(J), ...i32(width), ADD, ...get(N), GT_S],
    [...init, ...start, ...inner, ...store, ...bump(J, i32(width))],
  );
}

/** The body of `bmm(a, b, c, g, m, k, n)`, or with `bias` of `bmmBias(a, b, c, g, m, k, n, bias)`. */
function body(bias: boolean, fused: boolean): number[] {
  const row = [
    ...rowPointer(AROW, A, get(I), K),
    ...rowPointer(CROW, C, get(I), N),
    ...i32(0),
    ...set(J),
    ...columns(16, bias, fused),
    ...columns(4, bias, fused),
    ...columns(1, bias, fused),
    ...bump(I, i32(1)),
  ];
  const entry = [
    ...i32(0),
    ...set(I),
    ...whileNot([...get(I), ...get(M), GE_S], row),
    ...bump(A, [...get(M), ...get(K), MUL, ...i32(2), SHL]),
    ...bump(B, [...get(K), ...get(NB), MUL]),
    ...bump(C, [...get(M), ...get(N), MUL, ...i32(2), SHL]),
    ...bump(GI, i32(1)),
  ];
  return [
    ...get(N),
    ...i32(2),
    SHL,
    ...set(NB),
    ...i32(0),
    ...set(GI),
    ...whileNot([...get(GI), ...get(G), GE_S], entry),
  ];
}

/**
 * The module's bytes; `shared` says whether the imported memory is shared (the threaded build's); with
 * `fused`, the vector columns' steps are relaxed SIMD's multiply-add (wasm-fma.ts).
 */
export function bmmModuleBytes(shared: boolean, fused = false): Uint8Array<ArrayBuffer> {
  const locals = [
    [9, I32],
    [1, F32],
    [5, V128],
  ] as const;
  return assemble(shared, [
    { name: "bmm", params: 8, locals, code: body(false, fused) },
    { name: "bmmBias", params: 8, locals, code: body(true, fused) },
  ]);
}

/** c[e] = a[e] · b[e] for e < g, each [m, k] · [k, n], float32 row-major, at byte offsets of the memory. */
export type Bmm = (a: number, b: number, c: number, g: number, m: number, k: number, n: number) => void;

/**
 * c[e] = bias + a[e] · b[e] for e < g: as `Bmm`, each sum starting from bias[j] (a float32 vector of n at
 * the byte offset `bias`) instead of zero, as XNNPACK's products with a bias do.
 */
export type BmmBias = (
  a: number,
  b: number,
  c: number,
  g: number,
  m: number,
  k: number,
  n: number,
  bias: number,
) => void;

/**
 * The module of both kernels on `memory`, fused where `fusedProducts()` says (once per memory and
 * variant); undefined when this engine cannot run it.
 */
export function bmmKernel(memory: WebAssembly.Memory, fused = fusedProducts()): HeapKernel | undefined {
  return heapKernel(memory, fused ? "bmm fused" : "bmm", (shared) => bmmModuleBytes(shared, fused));
}

/** The kernel instantiated on `memory` (as `bmmKernel`); undefined when this engine cannot run it. */
export function bmmOn(memory: WebAssembly.Memory, fused = fusedProducts()): Bmm | undefined {
  return bmmKernel(memory, fused)?.exports["bmm"] as Bmm | undefined;
}

/** The bias-starting kernel instantiated on `memory` (as `bmmKernel`); undefined when it cannot run. */
export function bmmBiasOn(memory: WebAssembly.Memory, fused = fusedProducts()): BmmBias | undefined {
  return bmmKernel(memory, fused)?.exports["bmmBias"] as BmmBias | undefined;
}
