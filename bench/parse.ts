/**
 * bench/parse: parse + check time of generated specs of growing size (up to 10,000 statements), with
 * the time per statement, so that growth that is worse than linear shows as a rising ratio.
 * Run: `npx tsx bench/parse.ts`.
 */
import { analyzeText } from "../compiler/frontend/analyze.ts";
import { formatText } from "../compiler/format/format.ts";
import { generateSpec } from "./gen-spec.ts";

function time(f: () => void, repeat: number): number {
  f();
  const t0 = performance.now();
  for (let r = 0; r < repeat; r++) f();
  return (performance.now() - t0) / repeat;
}

const sizes = [1_000, 2_500, 5_000, 10_000];
console.log("statements  parse+check ms  us/statement  fmt ms");
let first = 0;
for (const n of sizes) {
  const text = generateSpec(n);
  const ms = time(() => analyzeText(text, "bench.adapt"), n >= 5000 ? 2 : 4);
  const fmt = time(() => formatText(text), 1);
  const per = (ms * 1000) / n;
  if (first === 0) first = per;
  console.log(
    `${String(n).padStart(10)}  ${ms.toFixed(1).padStart(14)}  ${per.toFixed(1).padStart(12)}  ${fmt.toFixed(1).padStart(6)}`,
  );
}
const big = generateSpec(10_000);
const last = (time(() => analyzeText(big, "bench.adapt"), 2) * 1000) / 10_000;
console.log(`growth: us/statement at 10,000 over us/statement at 1,000 = ${(last / first).toFixed(2)} (1.0 is linear)`);
