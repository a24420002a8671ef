/**
 * Training steps/s of the MiniLM-sized block (bench/block.ts) with adam on one backend. Prints one JSON
 * line: backend, adapter/detail, steps/s, final loss. Usage:
 * `npx tsx bench/gpu-step.ts [--backend auto|webgpu|wasm|cpu|tensorflow] [--steps N]`.
 * scripts/gpu-bench/run.sh measures every path (wasm, native, webgpu, cuda) side by side.
 */
import "./relaxed-simd.ts";
import { selectBackend } from "../runtime/backend/select.ts";
import { timeBlockSteps } from "./block-steps.ts";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

async function main(): Promise<void> {
  const steps = Number(arg("steps", "10"));
  const r = await selectBackend(arg("backend", "auto"), { allowSoftwareGpu: false });
  if (r.value === undefined) {
    console.log(JSON.stringify({ error: r.diagnostics.map((d) => `${d.code}: ${d.message}`) }));
    process.exitCode = 1;
    return;
  }
  const out = { backend: r.value.name, detail: r.value.detail, ...(await timeBlockSteps(steps)) };
  console.log(JSON.stringify(out));
}

await main();
