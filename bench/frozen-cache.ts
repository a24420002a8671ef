/**
 * bench/frozen-cache: top-n fine-tuning of the bundled MiniLM-L6 (examples/sentiment/; top-2 by default:
 * layers 4 and 5 and the head train, layers 0-3 and the embeddings are frozen) for a few epochs with the frozen-prefix
 * cache off and on, side by side in one process on one backend. Prints each epoch's seconds (from the
 * previous epoch's checkpoint to its last step), the ratio of the epochs after the first, and whether
 * the two runs' losses agree (bit for bit on cpu; within rounding elsewhere, where
 * kernels may sum in another order for another padded length). Besides wall seconds it prints the
 * process's CPU seconds and the median step, which a busy shared machine disturbs less. With
 * `--validation`, each epoch ends with an evaluation of the example's validation split (448 sentences),
 * whose frozen layers' outputs the cached run reads from a cache of their own after the first; the
 * whole epochs (steps and evaluation) are then compared too.
 * Usage: `npx tsx bench/frozen-cache.ts [--backend tensorflow|wasm|cpu] [--examples N] [--epochs E] [--batch B] [--top N] [--validation]`
 * (defaults: tensorflow when built, else wasm; all 2,086 training sentences; 3 epochs; batch 32; the top
 * 2 of the 6 layers train).
 */
import "./relaxed-simd.ts";
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
    top: { type: "string", default: "2" },
    validation: { type: "boolean", default: false },
  },
});
const EXAMPLE = resolve(import.meta.dirname, "../examples/sentiment");
const epochs = Number(values.epochs);
const work = mkdtempSync(join(tmpdir(), "adapt-frozen-bench-"));

const lines = readFileSync(join(EXAMPLE, "data/train.jsonl"), "utf8").trim().split("\n");
const subset = lines.slice(0, values.examples === undefined ? lines.length : Number(values.examples));
writeFileSync(join(work, "train.jsonl"), `${subset.join("\n")}\n`);

const SPEC = `model "${join(EXAMPLE, "model/model.json")}"
train "encoder.layer.*.**" in layers ${6 - Number(values.top)}..5
head classifier(classes: 2, pool: mean, dropout: 0.1)
plan {
  data       train: "${join(work, "train.jsonl")}",${values.validation ? ` validation: "${join(EXAMPLE, "data/validation.jsonl")}",` : ""} text: "sentence", label: "label"
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

/** Seconds of this process's CPU time (user and system, all threads). */
const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** One run's epochs: wall seconds, CPU seconds and the median step (ms); and every step's loss. */
interface Measured {
  seconds: number[];
  whole: number[];
  cpu: number[];
  medianStep: number[];
  losses: number[];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function run(cache: boolean): Promise<Measured> {
  rmSync(join(work, "out"), { recursive: true, force: true });
  const m: Measured = { seconds: [], whole: [], cpu: [], medianStep: [], losses: [] };
  let [epochStart, cpuStart, lastStep, cpuLast] = [0, 0, 0, 0];
  let stepTimes: number[] = [];
  const r = await runSession(plan!, {
    specDir: work,
    resume: false,
    frozenCache: { enabled: cache, memoryBytes: 1024 ** 3 },
    onEvent: (e) => {
      const now = performance.now();
      if (e.type === "start") [epochStart, lastStep, cpuStart] = [now, now, cpuNow()];
      if (e.type === "step") {
        stepTimes.push(now - lastStep);
        [lastStep, cpuLast] = [now, cpuNow()];
        m.losses.push(e.loss);
      }
      if (e.type === "checkpoint") {
        m.seconds.push((lastStep - epochStart) / 1000);
        m.whole.push((now - epochStart) / 1000);
        m.cpu.push(cpuLast - cpuStart);
        m.medianStep.push(median(stepTimes));
        [epochStart, lastStep, cpuStart, stepTimes] = [now, now, cpuNow(), []];
      }
    },
  });
  if (r.value === null) throw new Error(r.diagnostics.map((d) => d.message).join("; "));
  r.value.model.dispose();
  return m;
}

const steps = Math.ceil(subset.length / Number(values.batch));
console.log(
  `backend ${chosen.value.name}; top-${values.top}; ${subset.length} sentences (${steps} steps an epoch), ${epochs} epochs`,
);
console.log(frozenPrefixText(frozenPrefix(plan), null));
const off = await run(false);
const on = await run(true);
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const cols = ["wall s", "cpu s", "step ms"];
const head = [
  "epoch".padEnd(6),
  ...cols.map((c) => `uncached ${c}`.padStart(18)),
  ...cols.map((c) => `cached ${c}`.padStart(16)),
];
console.log([...head, "  ratio wall / cpu / step"].join(""));
off.seconds.forEach((_, i) => {
  const row = (x: Measured): number[] => [x.seconds[i]!, x.cpu[i]!, x.medianStep[i]!];
  const [a, b] = [row(off), row(on)];
  const cells = [...a.map((v) => v.toFixed(2).padStart(18)), ...b.map((v) => v.toFixed(2).padStart(16))];
  console.log(`${String(i + 1).padEnd(6)}${cells.join("")}  ${a.map((v, j) => (v / b[j]!).toFixed(2)).join(" / ")}`);
});
const later = (x: Measured, k: "seconds" | "whole" | "cpu" | "medianStep"): number => mean(x[k].slice(1));
const ratios = (["seconds", "cpu", "medianStep"] as const).map((k) => (later(off, k) / later(on, k)).toFixed(2));
console.log(
  `epochs after the first, uncached / cached: wall ${ratios[0]}x, cpu ${ratios[1]}x, median step ${ratios[2]}x`,
);
if (values.validation)
  console.log(
    `whole epochs (steps and the validation split's evaluation) after the first: uncached ${later(off, "whole").toFixed(2)} s, cached ${later(on, "whole").toFixed(2)} s, ${(later(off, "whole") / later(on, "whole")).toFixed(2)}x`,
  );
const maxDiff = Math.max(...off.losses.map((l, i) => Math.abs(l - on.losses[i]!)));
const same = off.losses.every((l, i) => Object.is(l, on.losses[i]));
console.log(
  `losses: ${same ? "identical" : `max difference ${maxDiff.toExponential(2)}`} over ${off.losses.length} steps`,
);
rmSync(work, { recursive: true, force: true });
