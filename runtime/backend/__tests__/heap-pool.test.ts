/**
 * The worker threads of heap-pool.ts: a product of the dense kernel in chunks of rows taken by 3 threads
 * (rows not a multiple of the chunk) equals the product on one thread bit for bit; a worker that cannot
 * run a kernel is given up, the work computed again by the caller, and the pool goes on alone.
 */
import { afterEach, describe, expect, it } from "vitest";
import { HeapPool } from "../heap-pool.ts";
import type { HeapKernel, SharedWork } from "../wasm-asm.ts";
import { GEMM_PANEL, gemmExports, gemmModuleBytes, gemmOn } from "../wasm-gemm.ts";

const pools: HeapPool[] = [];
afterEach(() => {
  for (const p of pools.splice(0)) p.close();
});

/** A pool of `threads` on `memory`, once its workers have started. */
async function startedPool(memory: WebAssembly.Memory, threads: number): Promise<HeapPool> {
  const pool = new HeapPool(memory, threads);
  pools.push(pool);
  for (let i = 0; i < 500 && pool.started < threads; i++) await new Promise((r) => setTimeout(r, 10));
  expect(pool.started).toBe(threads);
  return pool;
}

/** Operands of [m, k] · [k, n] in `memory` (b packed), c cleared; the byte offsets of a, packed b and c. */
function operands(
  memory: WebAssembly.Memory,
  kernel: HeapKernel,
  [m, k, n]: number[],
): [number, number, number, number] {
  const f = new Float32Array(memory.buffer);
  const [a, b, p, c] = [4, 4 + m! * k!, 4 + m! * k! + k! * n!, 4 + m! * k! + 2 * k! * n!];
  for (let i = 0; i < m! * k!; i++) f[a + i] = Math.sin(0.37 * i);
  for (let i = 0; i < k! * n!; i++) f[b + i] = Math.cos(0.11 * i);
  f.fill(0, c, c + m! * n!);
  gemmExports(kernel).pack(4 * b, 4 * p);
  return [4 * a, 4 * p, 4 * c, 0];
}

const SHAPE = [103, 24, 32];
const PANELS = SHAPE[2]! / GEMM_PANEL;

/** The dense kernel's rows [0, m) in chunks of `chunk` rows. */
const rows = (args: readonly number[], chunk: number): SharedWork => ({
  total: SHAPE[0]!,
  chunk,
  base: [...args, 0, 0, 0, PANELS],
  perStart: [0, 0, 0, 0, 1, 0, 0, 0],
  perEnd: [0, 0, 0, 0, 0, 1, 0, 0],
});
const out = (memory: WebAssembly.Memory, c: number): Float32Array =>
  new Float32Array(memory.buffer).slice(c / 4, c / 4 + SHAPE[0]! * SHAPE[2]!);

/** A shared memory with the operands of SHAPE, their product on one thread, and c cleared again. */
function setUp(): {
  memory: WebAssembly.Memory;
  kernel: HeapKernel;
  args: [number, number, number, number];
  alone: Float32Array;
} {
  const memory = new WebAssembly.Memory({ initial: 2, maximum: 16, shared: true });
  const kernel = gemmOn(memory, SHAPE[1]!, SHAPE[2]!)!;
  const args = operands(memory, kernel, SHAPE);
  gemmExports(kernel).gemm(...args, 0, SHAPE[0]!, 0, PANELS);
  const alone = out(memory, args[2]);
  new Float32Array(memory.buffer).fill(0, args[2] / 4, args[2] / 4 + alone.length);
  return { memory, kernel, args, alone };
}

describe("gemm pool", () => {
  it("splits a product by rows over its threads, equal to one thread bit for bit", async () => {
    const { memory, kernel, args, alone } = setUp();
    const pool = await startedPool(memory, 3);
    pool.share(kernel, "gemm", rows(args, 12));
    expect(out(memory, args[2])).toEqual(alone);
    expect(alone.some((v) => v !== 0)).toBe(true);
    expect(pool.threads).toBe(3);
  });

  it("gives up a worker that cannot run the kernel and computes its rows on the caller", async () => {
    const { memory, kernel: good, args, alone } = setUp();
    const plain = new WebAssembly.Module(gemmModuleBytes(false, SHAPE[1]!, SHAPE[2]!));
    const broken: HeapKernel = { ...good, key: "plain", module: plain };
    const pool = await startedPool(memory, 2);
    pool.share(broken, "gemm", rows(args, 20));
    expect(out(memory, args[2])).toEqual(alone);
    expect(pool.threads).toBe(1);
    pool.share(good, "gemm", rows(args, 20));
    expect(out(memory, args[2])).toEqual(alone);
  });
});
