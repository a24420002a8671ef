/**
 * The worker threads of gemm-pool.ts: a product split by rows over 3 threads (rows not a multiple of the
 * share) equals the product on one thread bit for bit; a worker that cannot run the kernel is given up,
 * its rows computed by the caller, and the pool goes on alone; a closed pool still runs products.
 */
import { afterEach, describe, expect, it } from "vitest";
import { GemmPool } from "../gemm-pool.ts";
import { GEMM_PANEL, gemmModuleBytes, gemmOn, type GemmKernel } from "../wasm-gemm.ts";

const pools: GemmPool[] = [];
afterEach(() => {
  for (const p of pools.splice(0)) p.close();
});

/** A pool of `threads` on `memory`, once its workers have started. */
async function startedPool(memory: WebAssembly.Memory, threads: number): Promise<GemmPool> {
  const pool = new GemmPool(memory, threads);
  pools.push(pool);
  for (let i = 0; i < 500 && pool.started < threads; i++) await new Promise((r) => setTimeout(r, 10));
  expect(pool.started).toBe(threads);
  return pool;
}

/** Operands of [m, k] · [k, n] in `memory` (b packed), c cleared; the byte offsets of a, packed b and c. */
function operands(
  memory: WebAssembly.Memory,
  kernel: GemmKernel,
  [m, k, n]: number[],
): [number, number, number, number] {
  const f = new Float32Array(memory.buffer);
  const [a, b, p, c] = [4, 4 + m! * k!, 4 + m! * k! + k! * n!, 4 + m! * k! + 2 * k! * n!];
  for (let i = 0; i < m! * k!; i++) f[a + i] = Math.sin(0.37 * i);
  for (let i = 0; i < k! * n!; i++) f[b + i] = Math.cos(0.11 * i);
  f.fill(0, c, c + m! * n!);
  kernel.pack(4 * b, 4 * p);
  return [4 * a, 4 * p, 4 * c, 0];
}

const SHAPE = [103, 24, 32];
const out = (memory: WebAssembly.Memory, c: number): Float32Array =>
  new Float32Array(memory.buffer).slice(c / 4, c / 4 + SHAPE[0]! * SHAPE[2]!);

describe("gemm pool", () => {
  it("splits a product by rows over its threads, equal to one thread bit for bit", async () => {
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 16, shared: true });
    const kernel = gemmOn(memory, SHAPE[1]!, SHAPE[2]!)!;
    const args = operands(memory, kernel, SHAPE);
    kernel.run(...args, 0, SHAPE[0]!, 0, SHAPE[2]! / GEMM_PANEL);
    const alone = out(memory, args[2]);
    new Float32Array(memory.buffer).fill(0, args[2] / 4, args[2] / 4 + alone.length);
    const pool = await startedPool(memory, 3);
    pool.run(kernel, args, SHAPE[0]!, SHAPE[2]! / GEMM_PANEL);
    expect(out(memory, args[2])).toEqual(alone);
    expect(alone.some((v) => v !== 0)).toBe(true);
    expect(pool.threads).toBe(3);
  });

  it("gives up a worker that cannot run the kernel and computes its rows on the caller", async () => {
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 16, shared: true });
    const good = gemmOn(memory, SHAPE[1]!, SHAPE[2]!)!;
    const plain = new WebAssembly.Module(gemmModuleBytes(false, SHAPE[1]!, SHAPE[2]!));
    const broken: GemmKernel = { ...good, key: "plain", module: plain };
    const args = operands(memory, good, SHAPE);
    good.run(...args, 0, SHAPE[0]!, 0, SHAPE[2]! / GEMM_PANEL);
    const alone = out(memory, args[2]);
    new Float32Array(memory.buffer).fill(0, args[2] / 4, args[2] / 4 + alone.length);
    const pool = await startedPool(memory, 2);
    pool.run(broken, args, SHAPE[0]!, SHAPE[2]! / GEMM_PANEL);
    expect(out(memory, args[2])).toEqual(alone);
    expect(pool.threads).toBe(1);
    pool.run(good, args, SHAPE[0]!, SHAPE[2]! / GEMM_PANEL);
    expect(out(memory, args[2])).toEqual(alone);
  });
});
