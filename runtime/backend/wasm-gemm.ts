/**
 * A dense matMul kernel in WebAssembly SIMD for products by a frozen weight, on the wasm backend's heap.
 * C[M, N] = bias + A[M, K] · B[K, N], where B lies packed in panels of 8 columns ([N/8][K][8], made once
 * per weight by the module's `pack`, or by `packTransposed` for Wᵀ), so that each step over K reads B's
 * 8 values in one line. A tile is 4 rows by 8 columns: 8 accumulators, 2 vectors of B and a float of A
 * splat into a vector, which leaves V8 on x64 registers to spare (6-row and 3 x 12 tiles spill and ran at
 * half the speed, fused or not; unrolling K did too). Each output is bias[j] (or 0) plus the products
 * over k in order, in float32: the sums XNNPACK makes, bit for bit, or with one rounding per step where
 * the products are fused (wasm-fma.ts). The module is specialised per (K, N), and rows are a parameter,
 * so threads can share a product by rows (heap-pool.ts).
 */
import {
  ADD,
  assemble,
  bump,
  GE_U,
  get,
  GT_U,
  type HeapKernel,
  heapKernel,
  I32,
  i32,
  MUL,
  set,
  V128,
  V_ZERO,
  vLoad,
  vLoadSplat,
  vMulAdd,
  vStore,
  whileNot,
} from "./wasm-asm.ts";
import { fusedProducts } from "./wasm-fma.ts";

/** Rows per tile. */
export const GEMM_ROWS = 4;
/** Columns per panel of packed B (two vectors). */
export const GEMM_PANEL = 8;

/**
 * The module's exports: `gemm(a, packedB, c, bias (0: none), row0, row1, panel0, panel1)` and
 * `pack(b, packedB)`, byte offsets and indices.
 */
export interface GemmExports {
  gemm(a: number, b: number, c: number, bias: number, r0: number, r1: number, p0: number, p1: number): void;
  pack(src: number, dst: number): void;
}

const [A, B, C, BIAS, R0, R1, P0, P1] = [0, 1, 2, 3, 4, 5, 6, 7];
const [ROW, P, AP, BP, PEND, CROW] = [8, 9, 10, 11, 12, 13];
const ACC = 14;
const BV = ACC + 2 * GEMM_ROWS;
const AV = BV + 2;

/** `if (cond) then else other` with no result. */
const ifElse = (cond: number[], then: number[], other: number[]): number[] => [
  ...cond,
  0x04,
  0x40,
  ...then,
  0x05,
  ...other,
  0x0b,
];

/** One tile of `rows` rows at (ROW, panel P): accumulators from the bias or zero, K steps, stores. */
function tile(rows: number, k: number, n: number, fused: boolean): number[] {
  const acc = (r: number, q: number): number => ACC + 2 * r + q;
  const fromBias: number[] = [];
  const fromZero: number[] = [];
  for (let r = 0; r < rows; r++)
    for (let q = 0; q < 2; q++) {
      fromBias.push(...get(BIAS), ...get(P), ...i32(32), MUL, ADD, ...vLoad(16 * q), ...set(acc(r, q)));
      fromZero.push(...V_ZERO, ...set(acc(r, q)));
    }
  const step: number[] = [...get(BP), ...vLoad(0), ...set(BV), ...get(BP), ...vLoad(16), ...set(BV + 1)];
  for (let r = 0; r < rows; r++) {
    step.push(...get(AP), ...vLoadSplat(4 * k * r), ...set(AV));
    for (let q = 0; q < 2; q++) step.push(...vMulAdd(fused, get(acc(r, q)), get(AV), get(BV + q)), ...set(acc(r, q)));
  }
  const store: number[] = [];
  for (let r = 0; r < rows; r++)
    for (let q = 0; q < 2; q++) store.push(...get(CROW), ...get(acc(r, q)), ...vStore(4 * n * r + 16 * q));
  return [
    ...ifElse(get(BIAS), fromBias, fromZero),
    ...[...get(A), ...get(ROW), ...i32(4 * k), MUL, ADD, ...set(AP)],
    ...[...get(AP), ...i32(4 * k), ADD, ...set(PEND)],
    ...[...get(B), ...get(P), ...i32(32 * k), MUL, ADD, ...set(BP)],
    ...whileNot([...get(AP), ...get(PEND), GE_U], [...step, ...bump(AP, i32(4)), ...bump(BP, i32(32))]),
    ...[...get(C), ...get(ROW), ...i32(4 * n), MUL, ADD, ...get(P), ...i32(32), MUL, ADD, ...set(CROW)],
    ...store,
  ];
}

/** `pack(src, dst)`: B [k, n] at `src` into panels at `dst`, 8 floats (two vectors) a copy. */
function packCode(k: number, n: number): number[] {
  const [SRC, DST] = [0, 1];
  const [PP, KK, FROM] = [2, 3, 4];
  const copy = [0, 16].flatMap((o) => [...get(DST), ...get(FROM), ...vLoad(o), ...vStore(o)]);
  const rowsOfPanel = whileNot(
    [...get(KK), ...i32(k), GE_U],
    [...copy, ...bump(DST, i32(32)), ...bump(FROM, i32(4 * n)), ...bump(KK, i32(1))],
  );
  return [
    ...i32(0),
    ...set(PP),
    ...whileNot(
      [...get(PP), ...i32(n / GEMM_PANEL), GE_U],
      [
        ...[...get(SRC), ...get(PP), ...i32(32), MUL, ADD, ...set(FROM)],
        ...i32(0),
        ...set(KK),
        ...rowsOfPanel,
        ...bump(PP, i32(1)),
      ],
    ),
  ];
}

/**
 * The module of `gemm` and `pack` for inner dimension `k` and `n` columns (a multiple of 8), on a plain
 * or shared memory; with `fused`, each step is relaxed SIMD's multiply-add (wasm-fma.ts).
 */
export function gemmModuleBytes(shared: boolean, k: number, n: number, fused = false): Uint8Array<ArrayBuffer> {
  const rows = (r: number): number[] =>
    whileNot([...get(ROW), ...i32(r), ADD, ...get(R1), GT_U], [...tile(r, k, n, fused), ...bump(ROW, i32(r))]);
  const code = [
    ...get(P0),
    ...set(P),
    ...whileNot(
      [...get(P), ...get(P1), GE_U],
      [...get(R0), ...set(ROW), ...rows(GEMM_ROWS), ...rows(1), ...bump(P, i32(1))],
    ),
  ];
  return assemble(shared, [
    {
      name: "gemm",
      params: 8,
      locals: [
        [6, I32],
        [2 * GEMM_ROWS + 3, V128],
      ],
      code,
    },
    { name: "pack", params: 2, locals: [[3, I32]], code: packCode(k, n) },
  ]);
}

/**
 * The kernel for (`k`, `n`) on `memory`, fused where `fusedProducts()` says (compiled once per memory and
 * variant); undefined where it cannot run (no SIMD).
 */
export function gemmOn(
  memory: WebAssembly.Memory,
  k: number,
  n: number,
  fused = fusedProducts(),
): HeapKernel | undefined {
  const key = `gemm ${k}x${n}${fused ? " fused" : ""}`;
  return heapKernel(memory, key, (shared) => gemmModuleBytes(shared, k, n, fused));
}

/** The exports of `gemmOn(memory, k, n)`. */
export const gemmExports = (kernel: HeapKernel): GemmExports => kernel.exports as unknown as GemmExports;

/**
 * Packs B = Wᵀ into panels, `dst[p][k][j] = W[8p + j][k]`, for W [n, k] at float index `src` of `heap` (a
 * layer's input gradient, dY·Wᵀ; an untransposed B is packed by the module's `pack`).
 */
export function packTransposed(heap: Float32Array, src: number, k: number, n: number, dst: number): void {
  for (let p = 0; p < n / GEMM_PANEL; p++)
    for (let kk = 0; kk < k; kk++)
      for (let j = 0; j < GEMM_PANEL; j++)
        heap[dst + (p * k + kk) * GEMM_PANEL + j] = heap[src + (p * GEMM_PANEL + j) * k + kk]!;
}
