/**
 * bench/memory-trace: one `adapt run` of a spec (the bundled example by default) in this process with a
 * per-step memory trace: RSS, V8 heap, external and ArrayBuffer bytes, tfjs's tensor bytes and count,
 * and on wasm the size of the WebAssembly heap. Prints one line per step and per evaluation, then the
 * peak RSS. For finding what holds memory; bench/memory.ts gives the side-by-side figure.
 * Usage: `npx tsx bench/memory-trace.ts [--backend wasm|tensorflow|cpu] [--steps N] [--spec FILE] [--every K]`.
 */
import "./relaxed-simd.ts";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { compileText } from "../compiler/compile.ts";
import { modelFileLoader, readText } from "../cli/files.ts";
import { selectBackend } from "../runtime/backend/select.ts";
import { runSession } from "../runtime/train/session.ts";

const { values } = parseArgs({
  options: {
    backend: { type: "string", default: "wasm" },
    steps: { type: "string" },
    spec: { type: "string" },
    every: { type: "string", default: "1" },
  },
});
const spec = resolve(values.spec ?? join(import.meta.dirname, "../examples/sentiment/houlsby.adapt"));
const maxSteps = values.steps === undefined ? Infinity : Number(values.steps);
const every = Number(values.every);
const MB = 1 / (1024 * 1024);

/** The WebAssembly heap's size in bytes on the wasm backend, else 0. */
function wasmHeap(): number {
  const b = tf.backend() as { wasm?: { HEAPU8?: Uint8Array } };
  return b.wasm?.HEAPU8?.buffer.byteLength ?? 0;
}

function sample(label: string): string {
  const m = process.memoryUsage();
  const t = tf.memory();
  const cols = [m.rss, m.heapUsed, m.external, m.arrayBuffers, t.numBytes, wasmHeap()].map((b) =>
    (b * MB).toFixed(0).padStart(6),
  );
  return `${label.padEnd(22)} ${cols.join(" ")} ${String(t.numTensors).padStart(7)}`;
}

const chosen = await selectBackend(values.backend!);
if (chosen.value === undefined) throw new Error(chosen.diagnostics.map((d) => d.message).join("; "));
const text = readText(spec, process.cwd());
const compiled = await compileText(text, spec, { loader: modelFileLoader(dirname(spec)), purpose: "run" });
const plan = compiled.value.plan!;
const out = mkdtempSync(join(tmpdir(), "adapt-memtrace-"));
const withOut = { ...plan, plan: { ...plan.plan!, output: out } };
console.log(
  `backend ${chosen.value.name}; ${"event".padEnd(15)} ${["rss", "heap", "extern", "arrbuf", "tensor", "wasm"].map((s) => s.padStart(6)).join(" ")} tensors (MB)`,
);
console.log(sample("before"));
let steps = 0;
const t0 = performance.now();
const r = await runSession(withOut, {
  specDir: dirname(spec),
  resume: false,
  shouldStop: () => steps >= maxSteps,
  onEvent: (e) => {
    if (e.type === "step") {
      steps += 1;
      if (steps % every === 0) console.log(sample(`step ${e.globalStep}`));
    } else if (e.type === "eval") console.log(sample(`eval ${e.split} ${e.seconds.toFixed(1)}s`));
    else if (e.type === "start") console.log(sample("start"));
  },
});
console.log(sample("end"));
const timing = r.value?.train.timing;
console.log(
  `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; ${steps} steps, train ${timing?.trainSeconds.toFixed(1)} s, eval ${timing?.evalSeconds.toFixed(1)} s, test ${r.value?.testSeconds.toFixed(1)} s, wall ${((performance.now() - t0) / 1000).toFixed(1)} s; test ${JSON.stringify(r.value?.test?.metrics ?? null)}`,
);
