/**
 * The dense kernel of wasm-gemm.ts on plain and shared memories, unfused and fused (relaxed SIMD, on by
 * flag as bin/adapt.js does): every output is the float32 sum over k in order from the column's bias or
 * zero (bit for bit), each step rounding the product then the sum, or rounding once where the engine fuses
 * (multiplyAddFuses), for row counts that take the 4-row tiles and the one-row rest; a range of rows and
 * panels writes only those; both packings lay B out as panels of 8 columns; the kernel still reads a
 * memory that grew.
 */
import { setFlagsFromString } from "node:v8";
import { describe, expect, it } from "vitest";
import { multiplyAddStep } from "../testing.ts";
import { multiplyAddFuses, relaxedSimd } from "../wasm-fma.ts";
import { GEMM_PANEL, gemmExports, gemmModuleBytes, gemmOn, packTransposed } from "../wasm-gemm.ts";

setFlagsFromString("--experimental-wasm-relaxed-simd");

/** Float indices of the operands in the memory, at odd places. */
function layout(m: number, k: number, n: number): { a: number; b: number; p: number; bias: number; c: number } {
  const a = 7;
  const b = a + m * k + 5;
  const p = b + k * n + 3;
  const bias = p + k * n + 1;
  return { a, b, p, bias, c: bias + n + 9 };
}

/**
 * The reference: bias[j] (or 0) plus a[i][q]·b[q][j] over q in order, in float32 steps (as the kernel
 * `fused` or not rounds them here).
 */
function reference(f: Float32Array, m: number, k: number, n: number, withBias: boolean, fused = false): Float32Array {
  const once = fused && multiplyAddFuses() === true;
  const at = layout(m, k, n);
  const want = new Float32Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = withBias ? f[at.bias + j]! : 0;
      for (let q = 0; q < k; q++) s = multiplyAddStep(once, s, f[at.a + i * k + q]!, f[at.b + q * n + j]!);
      want[i * n + j] = s;
    }
  return want;
}

/** Fills a, b and the bias, packs b, clears c to 99, runs rows [r0, r1) and panels [p0, p1); returns c. */
function run(
  memory: WebAssembly.Memory,
  [m, k, n]: number[],
  withBias: boolean,
  range?: number[],
  fused = false,
): Float32Array {
  const f = new Float32Array(memory.buffer);
  const at = layout(m!, k!, n!);
  for (let i = 0; i < m! * k!; i++) f[at.a + i] = Math.sin(1.7 * i + 0.3);
  for (let i = 0; i < k! * n!; i++) f[at.b + i] = Math.cos(0.9 * i);
  for (let j = 0; j < n!; j++) f[at.bias + j] = Math.fround(0.25 * j - 1);
  f.fill(99, at.c, at.c + m! * n! + 8);
  const kernel = gemmExports(gemmOn(memory, k!, n!, fused)!);
  kernel.pack(4 * at.b, 4 * at.p);
  const [r0, r1, p0, p1] = range ?? [0, m!, 0, n! / GEMM_PANEL];
  kernel.gemm(4 * at.a, 4 * at.p, 4 * at.c, withBias ? 4 * at.bias : 0, r0!, r1!, p0!, p1!);
  return f.slice(at.c, at.c + m! * n! + 8);
}

const SHAPES = [
  [1, 1, 8],
  [3, 7, 8],
  [4, 16, 16],
  [5, 33, 16],
  [9, 12, 24],
  [14, 40, 64],
];

describe("dense kernel", () => {
  it("is a valid module for both memories, unfused and fused", () => {
    expect(relaxedSimd()).toBe(true);
    for (const fused of [false, true]) {
      expect(WebAssembly.validate(gemmModuleBytes(false, 384, 1536, fused))).toBe(true);
      expect(WebAssembly.validate(gemmModuleBytes(true, 384, 1536, fused))).toBe(true);
    }
  });

  for (const fused of [false, true])
    for (const shared of [false, true])
      for (const withBias of [false, true])
        it(`sums in float32 in order${withBias ? " from the bias" : ""}, bit for bit, ${fused ? "fused" : "unfused"}, on a ${shared ? "shared" : "plain"} memory`, () => {
          const memory = new WebAssembly.Memory({ initial: 4, maximum: 64, shared });
          for (const shape of SHAPES) {
            const got = run(memory, shape, withBias, undefined, fused);
            const f = new Float32Array(memory.buffer);
            const want = reference(f, shape[0]!, shape[1]!, shape[2]!, withBias, fused);
            expect(got.subarray(0, want.length)).toEqual(want);
            expect([...got.subarray(want.length)]).toEqual(new Array(8).fill(99));
          }
        });

  it("rounds differently fused where the engine fuses (the kernels are not the same code)", () => {
    const memory = new WebAssembly.Memory({ initial: 4 });
    const shape = [14, 40, 64];
    const [unfused, fused] = [run(memory, shape, true), run(memory, shape, true, undefined, true)];
    expect(unfused.some((v, i) => v !== fused[i])).toBe(multiplyAddFuses());
  });

  it("writes only the rows and panels it is given", () => {
    const memory = new WebAssembly.Memory({ initial: 4 });
    const [m, k, n] = [11, 9, 32];
    const got = run(memory, [m, k, n], true, [4, 9, 1, 3]);
    const want = reference(new Float32Array(memory.buffer), m, k, n, true);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        const inside = i >= 4 && i < 9 && j >= 8 && j < 24;
        expect(got[i * n + j]).toBe(inside ? want[i * n + j] : 99);
      }
  });

  it("packs B, and the transpose of W, into panels of 8 columns", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const f = new Float32Array(memory.buffer);
    const [k, n] = [5, 16];
    for (let i = 0; i < k * n; i++) f[10 + i] = i;
    gemmExports(gemmOn(memory, k, n)!).pack(40, 400);
    packTransposed(f, 10, k, n, 300);
    for (let p = 0; p < n / GEMM_PANEL; p++)
      for (let q = 0; q < k; q++)
        for (let j = 0; j < GEMM_PANEL; j++) {
          const at = p * k * GEMM_PANEL + q * GEMM_PANEL + j;
          expect(f[100 + at]).toBe(q * n + p * GEMM_PANEL + j);
          expect(f[300 + at]).toBe((p * GEMM_PANEL + j) * k + q);
        }
  });

  it("compiles once per memory and shape, and still reads the memory after it grew", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    expect(gemmOn(memory, 40, 48)).toBe(gemmOn(memory, 40, 48));
    memory.grow(8);
    const got = run(memory, [50, 40, 48], false);
    expect(got.subarray(0, 50 * 48)).toEqual(reference(new Float32Array(memory.buffer), 50, 40, 48, false));
  });
});
