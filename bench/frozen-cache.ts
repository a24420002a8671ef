/**
 * bench/frozen-cache: top-2 fine-tuning of the bundled MiniLM-L6 (examples/sentiment/: layers 4 and 5
 * and the head train, layers 0-3 and the embeddings are frozen) for a few epochs with the frozen-prefix
 * cache off and on, side by side in one process on one backend. Prints each epoch's seconds (from the
 * previous epoch's checkpoint to its last step; no evaluations), the ratio of the epochs after the
 * first, and whether the two runs' losses agree (bit for bit on cpu; within rounding elsewhere, where
 * kernels may sum in another order for another padded length).
 * Usage: `npx tsx bench/frozen-cache.ts [--backend tensorflow|wasm|cpu] [--examples N] [--epochs E] [--batch B]`
 * (defaults: tensorflow when built, else wasm; all 2,086 training sentences; 3 epochs; batch 32).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { compileText } from "../compiler/compile.ts";
import { frozenPrefixText, frozenPrefix } from "../compiler/lower/frozen-prefix.ts";
import { modelFileLoader } from "../cli/files.ts";
import { selectBackend } from "../runtime/backend/select.ts";
import { runSession } from "../runtime/train/session.ts";

const { values } = parseArgs({
  options: {
    backend: { type: "string" },
    examples: { type: "string" },
    epochs: { type: "string", default: "3" },
    batch: { type: "string", default: "32" },
  },
});
const EXAMPLE = resolve(import.meta.dirname, "../examples/sentiment");
const epochs = Number(values.epochs);
const work = mkdtempSync(join(tmpdir(), "adapt-frozen-bench-"));

const lines = readFileSync(join(EXAMPLE, "data/train.jsonl"), "utf8").trim().split("\n");
const subset = lines.slice(0, values.examples === undefined ? lines.length : Number(values.examples));
writeFileSync(join(work, "train.jsonl"), `${subset.join("\n")}\n`);

const SPEC = `model "${join(EXAMPLE, "model/model.json")}"
train "encoder.layer.*.**" in layers 4..5
head classifier(classes: 2, pool: mean, dropout: 0.1)
plan {
  data       train: "${join(work, "train.jsonl")}", text: "sentence", label: "label"
  optimizer  adamw(lr: 1e-4, weight_decay: 0.01)
  schedule   linear(warmup: 0.1)
  epochs     ${epochs}
  batch      ${Number(values.batch)}
  max_length 64
  seed       42
  output     "${join(work, "out")}"
}
`;

let chosen = await selectBackend(values.backend ?? "tensorflow");
if (chosen.value === undefined && values.backend === undefined) chosen = await selectBackend("wasm");
if (chosen.value === undefined) throw new Error(chosen.diagnostics.map((d) => d.message).join("; "));
const specFile = join(work, "top2.adapt");
const compiled = await compileText(SPEC, specFile, { loader: modelFileLoader(work), purpose: "run" });
const plan = compiled.value.plan;
if (plan === null) throw new Error(compiled.diagnostics.map((d) => d.message).join("; "));

/** One run: each epoch's seconds and every step's loss. */
async function run(cache: boolean): Promise<{ seconds: number[]; losses: number[] }> {
  rmSync(join(work, "out"), { recursive: true, force: true });
  const seconds: number[] = [];
  const losses: number[] = [];
  let epochStart = 0;
  let lastStep = 0;
  const r = await runSession(plan!, {
    specDir: work,
    resume: false,
    frozenCache: { enabled: cache, memoryBytes: 1024 ** 3 },
    onEvent: (e) => {
      const now = performance.now();
      if (e.type === "start") epochStart = now;
      if (e.type === "step") ((lastStep = now), losses.push(e.loss));
      if (e.type === "checkpoint") ((seconds[seconds.length] = (lastStep - epochStart) / 1000), (epochStart = now));
    },
  });
  if (r.value === null) throw new Error(r.diagnostics.map((d) => d.message).join("; "));
  r.value.model.dispose();
  return { seconds, losses };
}

const steps = Math.ceil(subset.length / Number(values.batch));
console.log(`backend ${chosen.value.name}; ${subset.length} sentences (${steps} steps an epoch), ${epochs} epochs`);
console.log(frozenPrefixText(frozenPrefix(plan), null));
const off = await run(false);
const on = await run(true);
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(`${"epoch".padEnd(8)}${"uncached s".padStart(12)}${"cached s".padStart(12)}${"ratio".padStart(8)}`);
off.seconds.forEach((s, i) =>
  console.log(
    `${String(i + 1).padEnd(8)}${s.toFixed(2).padStart(12)}${on.seconds[i]!.toFixed(2).padStart(12)}${(s / on.seconds[i]!).toFixed(2).padStart(8)}x`,
  ),
);
const later = mean(off.seconds.slice(1)) / mean(on.seconds.slice(1));
console.log(`epochs after the first: ${later.toFixed(2)}x faster with the cache`);
const maxDiff = Math.max(...off.losses.map((l, i) => Math.abs(l - on.losses[i]!)));
const same = off.losses.every((l, i) => Object.is(l, on.losses[i]));
console.log(
  `losses: ${same ? "identical" : `max difference ${maxDiff.toExponential(2)}`} over ${off.losses.length} steps`,
);
rmSync(work, { recursive: true, force: true });
