/**
 * bench/wasm-gemm: the products by a frozen weight of a training step on wasm, adapt's dense kernel
 * (runtime/backend/wasm-gemm.ts on its own threads) with fused multiply-adds (wasm-fma.ts; the children
 * run with relaxed SIMD, as bin/adapt.js starts them), the same kernel unfused (`ADAPT_WASM_FMA=off`) and
 * XNNPACK on the same threads (`ADAPT_WASM_GEMM=off`), side by side: each configuration runs in a process
 * of its own (XNNPACK's thread pool is sized when the backend starts), the three alternating for
 * `--rounds` rounds, and each figure is
 * the median over rounds of the median over `--reps` products. Shapes are the bundled example's (MiniLM:
 * 384 wide, 1536 in the feed-forward) at 160, 480 and 2048 rows (batches of 32 x 5, 15 and 64 tokens):
 * the forward product X·W + b and the input gradient dY·Wᵀ. Prints GFLOP/s and the ratios to XNNPACK per shape.
 * Usage: `npx tsx bench/wasm-gemm.ts [--rounds 3] [--reps 9]`.
 */
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { seededTensor } from "../runtime/backend/compare.ts";
import { tryWasm } from "../runtime/backend/wasm.ts";
import { relaxedSimd } from "../runtime/backend/wasm-fma.ts";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    reps: { type: "string", default: "9" },
    child: { type: "boolean", default: false },
  },
});
const ROWS = [160, 480, 2048];
const WEIGHTS: [number, number][] = [
  [384, 384],
  [384, 1536],
  [1536, 384],
];

/** Median of `xs`. */
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** GFLOP/s of each product (by label), measured in this process on the wasm backend as it came up. */
async function measure(reps: number): Promise<Record<string, number>> {
  const up = await tryWasm();
  if (!up.ok) throw new Error(`wasm backend unavailable: ${up.reason}`);
  const out: Record<string, number> = {};
  for (const [k, n] of WEIGHTS) {
    const w = seededTensor(1, [k, n]);
    const bias = seededTensor(2, [n]);
    for (const m of ROWS) {
      const x = seededTensor(3, [m, k]);
      const dy = seededTensor(4, [m, n]);
      const products: [string, () => tf.Tensor][] = [
        [`X·W+b ${m}x${k}x${n}`, () => tf.fused.matMul({ a: x, b: w, bias })],
        [`dY·Wᵀ ${m}x${n}x${k}`, () => tf.matMul(dy, w, false, true)],
      ];
      for (const [label, product] of products) {
        const times: number[] = [];
        for (let i = 0; i < reps + 3; i++) {
          const t0 = performance.now();
          const y = product();
          await y.data();
          if (i >= 3) times.push(performance.now() - t0);
          y.dispose();
        }
        out[label] = (2 * m * k * n) / median(times) / 1e6;
      }
      tf.dispose([x, dy]);
    }
    tf.dispose([w, bias]);
  }
  return out;
}

/** Node's flags for a child: this process's, and relaxed SIMD's (as bin/adapt.js sets it) unless on already. */
const childFlags = (): string[] => [
  ...process.execArgv,
  ...(relaxedSimd() ? [] : ["--experimental-wasm-relaxed-simd"]),
];

/** Runs this file as a child with `env`, returning its figures. */
function child(env: Record<string, string>): Record<string, number> {
  const r = spawnSync(process.execPath, [...childFlags(), import.meta.filename, "--child", "--reps", values.reps!], {
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  const line = r.stdout.split("\n").find((l) => l.startsWith("{"));
  if (r.status !== 0 || line === undefined) throw new Error(`child failed: ${r.stderr.trim().split("\n").pop()}`);
  return JSON.parse(line) as Record<string, number>;
}

if (values.child) {
  console.log(JSON.stringify(await measure(Number(values.reps))));
  process.exit(0);
}
const CONFIGS = [
  { name: "fused", env: {} },
  { name: "unfused", env: { ADAPT_WASM_FMA: "off" } },
  { name: "XNNPACK", env: { ADAPT_WASM_GEMM: "off" } },
] as const;
const rates: Record<string, number[]>[] = CONFIGS.map(() => ({}));
for (let round = 0; round < Number(values.rounds); round++)
  CONFIGS.forEach(({ env }, c) => {
    for (const [label, rate] of Object.entries(child(env))) (rates[c]![label] ??= []).push(rate);
  });
const head = CONFIGS.map((c) => c.name.padStart(8)).join(" ");
console.log(
  `${"product".padEnd(24)} ${head}  fused/XNNPACK  unfused/XNNPACK   (GFLOP/s, median of ${values.rounds} rounds)`,
);
const ratios: [number[], number[]] = [[], []];
for (const label of Object.keys(rates[0]!)) {
  const [f, u, x] = rates.map((r) => median(r[label]!)) as [number, number, number];
  ratios[0].push(f / x);
  ratios[1].push(u / x);
  const cells = [f, u, x].map((v) => v.toFixed(1).padStart(8)).join(" ");
  console.log(`${label.padEnd(24)} ${cells}  ${(f / x).toFixed(2).padStart(12)}x  ${(u / x).toFixed(2).padStart(14)}x`);
}
console.log(
  `median ratio over XNNPACK: fused ${median(ratios[0]).toFixed(2)}x, unfused ${median(ratios[1]).toFixed(2)}x (relaxed SIMD ${relaxedSimd() ? "on" : "by flag in the children"})`,
);
