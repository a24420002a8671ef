/**
 * `callShared` (wasm-asm.ts): a kernel's work in chunks over the threads of a heap pool equals the kernel
 * called once, bit for bit: attention's batched products by batch entries, a product of one entry by
 * rows, GELU by runs of elements (counts that are no multiple of a chunk); below PARALLEL_WORK, or with
 * no runner, it is one call on the caller.
 */
import { afterAll, describe, expect, it } from "vitest";
import { HeapPool } from "../heap-pool.ts";
import {
  callShared,
  type HeapKernel,
  heapKernel,
  PARALLEL_WORK,
  type HeapRunner,
  type SharedWork,
  useHeapRunner,
} from "../wasm-asm.ts";
import { bmmModuleBytes } from "../wasm-bmm.ts";
import { geluModuleBytes } from "../wasm-gelu.ts";

const memory = new WebAssembly.Memory({ initial: 256, maximum: 512, shared: true });
const pool = new HeapPool(memory, 3);
afterAll(() => pool.close());

/** Counts the calls a runner was handed, passing them to `inner`. */
function counting(inner: HeapRunner): HeapRunner & { jobs: number } {
  const r = {
    threads: inner.threads,
    jobs: 0,
    share: (kernel: HeapKernel, name: string, work: SharedWork) => {
      r.jobs++;
      inner.share(kernel, name, work);
    },
  };
  return r;
}

/** Fills floats [from, from + n) with a pattern; returns the byte offset. */
function fill(from: number, n: number, seed: number): number {
  const f = new Float32Array(memory.buffer);
  for (let i = 0; i < n; i++) f[from + i] = Math.sin(seed + 0.37 * i);
  return 4 * from;
}

/** Runs `body` (writing floats [at, at + n)) once alone and once shared; returns both results. */
async function bothWays(at: number, n: number, body: () => void): Promise<[Float32Array, Float32Array, number]> {
  for (let i = 0; i < 500 && pool.started < 3; i++) await new Promise((r) => setTimeout(r, 10));
  useHeapRunner(memory, undefined);
  body();
  const alone = new Float32Array(memory.buffer).slice(at, at + n);
  new Float32Array(memory.buffer).fill(0, at, at + n);
  const runner = counting(pool);
  useHeapRunner(memory, runner);
  body();
  useHeapRunner(memory, undefined);
  return [alone, new Float32Array(memory.buffer).slice(at, at + n), runner.jobs];
}

describe("callShared", () => {
  const bmm = heapKernel(memory, "bmm", bmmModuleBytes)!;

  it("shares batched products by entries, bit for bit", async () => {
    const [g, m, k, n] = [5, 40, 64, 90];
    const [a, b] = [fill(0, g * m * k, 1), fill(g * m * k, g * k * n, 2)];
    const c = g * m * k + g * k * n;
    const [alone, shared, jobs] = await bothWays(c, g * m * n, () =>
      callShared(memory, bmm, "bmm", g, 1, PARALLEL_WORK, (e0, e1) => [
        a + 4 * e0 * m * k,
        b + 4 * e0 * k * n,
        4 * c + 4 * e0 * m * n,
        e1 - e0,
        m,
        k,
        n,
      ]),
    );
    expect(shared).toEqual(alone);
    expect(jobs).toBe(1);
  });

  it("shares one product by rows, and keeps a small one on the caller", async () => {
    const [m, k, n] = [301, 128, 48];
    const [a, b] = [fill(0, m * k, 3), fill(m * k, k * n, 4)];
    const c = m * k + k * n;
    const rows = (work: number) => () =>
      callShared(memory, bmm, "bmm", m, 4, work, (r0, r1) => [a + 4 * r0 * k, b, 4 * c + 4 * r0 * n, 1, r1 - r0, k, n]);
    const [alone, shared, jobs] = await bothWays(c, m * n, rows(PARALLEL_WORK));
    expect(shared).toEqual(alone);
    expect(jobs).toBe(1);
    expect((await bothWays(c, m * n, rows(PARALLEL_WORK - 1)))[2]).toBe(0);
  });

  it("shares GELU by runs of elements", async () => {
    const gelu = heapKernel(memory, "gelu", geluModuleBytes)!;
    const count = 300_007;
    const x = fill(0, count, 5);
    const [y, d] = [count + 5, 2 * count + 9];
    const [alone, shared] = await bothWays(y, 2 * count + 4, () =>
      callShared(memory, gelu, "geluSlope", count, 16, 16 * count, (s, e) => [
        x + 4 * s,
        4 * (y + s),
        4 * (d + s),
        e - s,
      ]),
    );
    expect(shared).toEqual(alone);
  });
});
