/**
 * Generated specs for benchmarks and profiling.
 */

/** A spec with `n` statements: adapters, placements, sizes, rules and a plan. */
export function generateSpec(n: number): string {
  const lines = ['model "model.json"'];
  const adapters = Math.max(1, Math.floor(n / 10));
  for (let i = 0; i < adapters; i++)
    lines.push(`adapter a${i} = bottleneck(size: ${8 + (i % 8)}, activation: gelu, init: near_identity(std: 0.01))`);
  let i = 0;
  while (lines.length < n - 12) {
    const a = `a${i % adapters}`;
    const k = i % 4;
    if (k === 0)
      lines.push(`insert ${a} after "encoder.layer.*.attention.output.dense" in layers ${i % 12}..${(i % 12) + 1}`);
    else if (k === 1) lines.push(`size ${a} = d / ${1 + (i % 16)} in layers ${i % 24}`);
    else if (k === 2) lines.push(`train "encoder.layer.${i % 24}.**.LayerNorm" # rule ${i}`);
    else lines.push(`insert ${a} before /encoder\\.layer\\.${i % 24}\\.output\\.dense/ where type = Dense expect 1`);
    i++;
  }
  lines.push(
    "head classifier(classes: 2)",
    "plan {",
    '  data train: "t.jsonl", validation: "v.jsonl"',
    "  optimizer adam(lr: 1e-3)",
  );
  lines.push("  epochs 3", "  batch 32", '  output "out"', "}");
  return `${lines.join("\n")}\n`;
}

/** Dense layers of a BERT-style encoder block that specs place adapters at. */
const SITES = ["attention.output.dense", "attention.self.query", "output.dense", "intermediate.dense"];

/** Sites with equal input and output sizes (the first two of `SITES`), where parallel adapters go. */
const SQUARE_SITES = 2;

/** The weighted layers of a block that train/freeze rules name. */
const RULE_TARGETS = [
  ...SITES,
  "attention.self.key",
  "attention.self.value",
  "attention.output.LayerNorm",
  "output.LayerNorm",
];

const escape = (s: string) => s.replace(/\./g, "\\.");

/** Declarations of the generated spec: bottleneck, parallel and LoRA adapters in turn. */
function adapterDecl(a: number): { name: string; line: string } {
  if (a % 4 === 3)
    return { name: `lo${a}`, line: `adapter lo${a} = lora(rank: ${2 + (a % 6)}, alpha: 16, dropout: 0.05)` };
  if (a % 4 === 2)
    return { name: `pa${a}`, line: `adapter pa${a} = parallel(size: ${2 + (a % 5)}, scale: 4.0, activation: relu)` };
  const init = "init: near_identity(std: 0.01)";
  return { name: `b${a}`, line: `adapter b${a} = bottleneck(size: d / ${1 + (a % 4)}, activation: gelu, ${init})` };
}

/** The `n`th placement of adapter `a` (each at sites no other placement of `a` reaches), in several spellings. */
function placement(a: number, name: string, n: number, blocks: number): string {
  const block = (n + a) % blocks;
  const site = SITES[Math.floor(n / blocks) % siteCount(a)]!;
  const verb = a % 4 === 3 ? `apply ${name} to` : a % 4 === 2 ? `insert ${name} parallel` : `insert ${name} after`;
  switch (n % 4) {
    case 0:
      return `${verb} "encoder.layer.*.${site}" in layers ${block} expect 1`;
    case 1:
      return `${verb} /encoder\\.layer\\.${block}\\.${escape(site)}/ where type = Dense`;
    case 2:
      return `${verb} "encoder.layer.${block}.${site}" where type = Dense expect 1`;
    default:
      return `${verb} "encoder.*.*.${site}" in layers ${block}`;
  }
}

/** How many of `SITES` adapter `a` goes at. */
function siteCount(a: number): number {
  return a % 4 === 2 ? SQUARE_SITES : SITES.length;
}

/** The `n`th train/freeze rule, each naming layers no other rule names. */
function rule(n: number, blocks: number): string {
  const block = n % blocks;
  const target = RULE_TARGETS[Math.floor(n / blocks) % RULE_TARGETS.length]!;
  const action = n % 3 === 0 ? "freeze" : "train";
  return n % 2 === 0
    ? `${action} "encoder.layer.${block}.${target}"`
    : `${action} /encoder\\.layer\\.${block}\\.${escape(target)}/ where type = ${target.endsWith("LayerNorm") ? "LayerNormalization" : "Dense"}`;
}

/**
 * A realistic spec of about `lines` lines for a BERT-style encoder of `blocks` blocks (the tiny BERT
 * fixture has 12, MiniLM 6): many adapters (bottleneck, parallel, LoRA), inserts and applies with glob
 * and regex selectors, layer ranges, `where type` and `expect`, sizes, train/freeze rules, comments, a
 * head and a plan. It has no errors, so every stage (resolution and lowering included) runs on it.
 */
export function generateModelSpec(lines: number, blocks: number, modelPath = "model.json"): string {
  const out = [`# generated: ${lines} lines over ${blocks} encoder blocks`, `model "${modelPath}"`, ""];
  const adapters = Math.max(4, Math.floor(lines / 12));
  const names: string[] = [];
  for (let a = 0; a < adapters; a++) {
    const d = adapterDecl(a);
    names.push(d.name);
    out.push(d.line);
  }
  out.push("");
  const placed = new Array<number>(adapters).fill(0);
  const rules = Math.min(blocks * RULE_TARGETS.length, Math.floor(lines / 20));
  let ruleCount = 0;
  for (let i = 0; out.length < lines - 16; i++) {
    const a = i % adapters;
    if (i % 10 === 9 && ruleCount < rules) out.push(rule(ruleCount++, blocks));
    else if (i % 10 === 4 && a % 4 !== 3) out.push(`size ${names[a]} = ${1 + (i % 7)} in layers ${i % blocks}`);
    else if (i % 20 === 7) out.push(`# group ${Math.floor(i / 20)}: adapters ${names[a]} and on`);
    else if (i % 20 === 17) out.push("");
    else if (placed[a]! < blocks * siteCount(a)) out.push(placement(a, names[a]!, placed[a]!++, blocks));
  }
  out.push(
    "",
    "train adapters",
    'freeze "embeddings.**"',
    "head classifier(classes: 2, pool: mean, dropout: 0.1)",
    "",
    "plan {",
    '  data       train: "data/train.jsonl", validation: "data/validation.jsonl", text: "sentence", label: "label"',
    "  optimizer  adamw(lr: 1e-3, weight_decay: 0.01)",
    "  schedule   linear(warmup: 0.1)",
    "  epochs     3",
    "  batch      32",
    "  metric     accuracy",
    "  seed       42",
    '  output     "runs/generated"',
    "}",
  );
  return `${out.join("\n")}\n`;
}
