/**
 * Compile-stage benchmark: Houlsby on a generated 24-layer d=1024 encoder manifest, a 10,000-line spec
 * on a 2,000-layer manifest, and how time grows with spec length and model size (each row measured in
 * this run, with the ratio to the row before). Times are medians after one warm-up run; "front" is
 * parse + check, "manifest" reading model.json text, "resolve" resolve + lower, "total" all three.
 * Run: `npx tsx bench/compile.ts` (`--quick` for fewer repetitions).
 */
import { compileSpec } from "../compiler/compile.ts";
import { analyzeText } from "../compiler/frontend/analyze.ts";
import { readManifest } from "../compiler/model/manifest.ts";
import { syntheticEncoder } from "../compiler/model/synthetic.ts";

const REPS = process.argv.includes("--quick") ? 3 : 7;

const HOULSBY = `model "m.json"
adapter houlsby = bottleneck(size: 64, activation: gelu)
insert houlsby after "encoder.layer.*.attention.output.dense" expect 24
insert houlsby after "encoder.layer.*.output.dense" expect 24
train "**.LayerNorm"
head classifier(classes: 2)
`;

/** A spec of about `lines` statements over an encoder of `blocks` blocks: placements, sizes, rules. */
function bigSpec(lines: number, blocks: number): string {
  const adapters = Math.max(1, Math.ceil(lines / (4 * blocks)));
  const out = ['model "m.json"'];
  for (let a = 0; a < adapters; a++) out.push(`adapter a${a} = bottleneck(size: 8)`);
  const sites = ["attention.output.dense", "output.dense", "intermediate.dense", "attention.self.query"];
  for (let i = 0; out.length < lines; i++) {
    const block = i % blocks;
    const a = Math.floor(i / blocks) % adapters;
    switch (i % 4) {
      case 0:
        out.push(`insert a${a} after "encoder.layer.${block}.${sites[Math.floor(i / (blocks * adapters)) % 4]}"`);
        break;
      case 1:
        out.push(`size a${a} = ${1 + (i % 7)} in layers ${block}`);
        break;
      case 2:
        out.push(
          `train "encoder.layer.*.${i % 8 < 4 ? "attention.output.LayerNorm" : "output.LayerNorm"}" in layers ${block}`,
        );
        break;
      default:
        out.push(`freeze "encoder.layer.${block}.attention.**"`);
    }
  }
  return `${out.join("\n")}\n`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface Timing {
  front: number;
  manifest: number;
  resolve: number;
  total: number;
  errors: number;
  ops: number;
  weights: number;
}

function measure(spec: string, modelText: string): Timing {
  const fronts: number[] = [];
  const manifests: number[] = [];
  const resolves: number[] = [];
  let errors = 0;
  let ops = 0;
  let weights = 0;
  for (let r = 0; r <= REPS; r++) {
    const t0 = performance.now();
    const a = analyzeText(spec, "bench.adapt");
    const t1 = performance.now();
    const m = readManifest(modelText, "m.json").value!;
    const t2 = performance.now();
    const c = compileSpec(a.value.checked!, m, { file: "bench.adapt", text: spec, modelPath: "m.json" });
    const t3 = performance.now();
    if (r === 0) continue;
    fronts.push(t1 - t0);
    manifests.push(t2 - t1);
    resolves.push(t3 - t2);
    errors = [...a.diagnostics, ...c.diagnostics].filter((d) => d.severity === "error").length;
    ops = c.value?.operations.length ?? 0;
    weights = c.value?.weights.length ?? 0;
  }
  const front = median(fronts);
  const manifest = median(manifests);
  const resolve = median(resolves);
  return { front, manifest, resolve, total: front + manifest + resolve, errors, ops, weights };
}

function encoderText(blocks: number, d: number): string {
  return JSON.stringify(syntheticEncoder({ layers: blocks, d, ff: 4 * d, vocab: 1000, seq: 128 }));
}

function row(cells: (string | number)[]): string {
  return cells.map((c, i) => (typeof c === "number" ? c.toFixed(1) : c).padStart(i === 0 ? 28 : 12)).join("");
}

function main(): void {
  const out: string[] = [];
  const header = row(["case", "front ms", "model ms", "resolve ms", "total ms", "ratio", "ops", "errors"]);
  const houlsby = measure(HOULSBY, encoderText(24, 1024));
  out.push("Houlsby on a generated 24-layer d=1024 encoder (294 layers)", header);
  out.push(
    row([
      "houlsby 24x1024",
      houlsby.front,
      houlsby.manifest,
      houlsby.resolve,
      houlsby.total,
      "-",
      String(houlsby.ops),
      String(houlsby.errors),
    ]),
  );

  const blocks = 182;
  const model = encoderText(blocks, 64);
  const layers = readManifest(model, "m").value!.layers.length;
  out.push("", `spec length on a ${layers}-layer manifest (ratio: total time / previous row's)`, header);
  let prev: number | null = null;
  for (const lines of [1250, 2500, 5000, 10000]) {
    const t = measure(bigSpec(lines, blocks), model);
    out.push(
      row([
        `${lines} lines`,
        t.front,
        t.manifest,
        t.resolve,
        t.total,
        prev === null ? "-" : (t.total / prev).toFixed(2),
        String(t.ops),
        String(t.errors),
      ]),
    );
    prev = t.total;
  }
  out.push("", "model size, spec of 5 lines per block (ratio: total time / previous row's)", header);
  prev = null;
  for (const b of [23, 46, 91, 182]) {
    const text = encoderText(b, 64);
    const n = readManifest(text, "m").value!.layers.length;
    const t = measure(bigSpec(5 * b, b), text);
    out.push(
      row([
        `${n} layers, ${5 * b} lines`,
        t.front,
        t.manifest,
        t.resolve,
        t.total,
        prev === null ? "-" : (t.total / prev).toFixed(2),
        String(t.ops),
        String(t.errors),
      ]),
    );
    prev = t.total;
  }
  process.stdout.write(`${out.join("\n")}\n`);
}

main();
