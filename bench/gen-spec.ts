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
