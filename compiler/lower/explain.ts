/**
 * What `adapt explain` and `adapt inspect` show, as text tables and JSON: every adapter site with its
 * layer index, d, m and parameters; every weight's trainability with the rule (line) that decided it;
 * the totals (like PEFT's print_trainable_parameters, but exact); and a model's layers.
 */
import type { CompiledPlan } from "../ir/types.ts";
import { kindNamed } from "../kinds/registry.ts";
import type { ModelManifest } from "../model/types.ts";
import { frozenPrefix, frozenPrefixText, type FrozenCacheEstimate } from "./frozen-prefix.ts";

/** `12345` as `12,345`. */
export function thousands(n: number): string {
  return n.toLocaleString("en-US");
}

/** Left-aligned columns (numbers right-aligned) with a header row. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === "number" ? thousands(c) : c)));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === "number"));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...cells.map(line)].join("\n");
}

/** The totals line: `trainable params: ... || base params: ... || all params: ... || trainable%: ...`. */
export function totalsLine(plan: CompiledPlan): string {
  const t = plan.totals;
  const all = t.base + t.added + t.head;
  return `trainable params: ${thousands(t.trainable)} || base params: ${thousands(t.base)} || added params: ${thousands(t.added)} || head params: ${thousands(t.head)} || all params: ${thousands(all)} || trainable%: ${t.trainablePercent.toFixed(4)} (of the base)`;
}

/** Each kind of the plan with its parameter formula (from the registry). */
export function formulas(plan: CompiledPlan): [string, string][] {
  return [...new Set(plan.operations.map((op) => op.kind))].map((k) => [k, kindNamed(k)?.formula ?? "?"]);
}

/** The readable `explain` report; `cache` sizes the frozen prefix's cache when the data was counted. */
export function explainText(plan: CompiledPlan, cache: FrozenCacheEstimate | null = null): string {
  const sites = plan.operations.map((op) => [
    op.id,
    op.kind,
    op.position,
    op.layerIndex === null ? "-" : String(op.layerIndex),
    op.d,
    op.size === null ? "-" : String(op.size),
    op.params,
    String(op.source.line),
  ]);
  const weights = plan.weights.map((w) => [
    w.name,
    w.owner,
    w.shape.length > 0 ? `[${w.shape.join(", ")}]` : "[]",
    w.params,
    w.trainable ? "train" : "frozen",
    w.rule ? `line ${w.rule.line}: ${w.rule.text}` : "default",
  ]);
  const out = [
    `model ${plan.model.path} (${plan.model.className}, ${thousands(plan.model.params)} parameters)`,
    "",
    `adapter sites (${plan.operations.length})`,
    plan.operations.length > 0
      ? table(["site", "kind", "position", "layer", "d", "m/r", "params", "line"], sites)
      : "  none",
    ...formulas(plan).map(([kind, f]) => `  ${kind}: ${f} parameters per site`),
    ...loadedLines(plan),
    ...fusionLines(plan),
  ];
  if (plan.head !== null) {
    const h = plan.head;
    out.push(
      "",
      `head ${h.kind} on ${h.input}: d ${h.d}, ${h.classes} output${h.classes === 1 ? "" : "s"}, pool ${h.pool}, ${thousands(h.params)} parameters`,
    );
  }
  out.push(
    "",
    `weights (${plan.weights.length})`,
    table(["weight", "owner", "shape", "params", "state", "decided by"], weights),
  );
  out.push("", frozenPrefixText(frozenPrefix(plan), cache), "", totalsLine(plan), "");
  return out.join("\n");
}

/** One line per `use`: where its adapters come from. */
function loadedLines(plan: CompiledPlan): string[] {
  const uses = new Map<string, { path: string; ops: number }>();
  for (const op of plan.operations) {
    if (op.origin === undefined) continue;
    const u = uses.get(op.origin.use) ?? { path: op.origin.path, ops: 0 };
    uses.set(op.origin.use, { ...u, ops: u.ops + 1 });
  }
  return [...uses].map(
    ([name, u]) =>
      `  loaded: ${name} from ${u.path} (${u.ops} site${u.ops === 1 ? "" : "s"}, frozen unless a rule trains it)`,
  );
}

/** The fusion sites of `fuse` statements, with their parameters (3d^2 + 3d each). */
function fusionLines(plan: CompiledPlan): string[] {
  const fusions = plan.fusions ?? [];
  if (fusions.length === 0) return [];
  const rows = fusions.map((f) => [
    f.id,
    f.members.map((m) => m.split("@")[0]).join(" + "),
    f.d,
    f.params,
    String(f.source.line),
  ]);
  return [
    "",
    `fusions (${fusions.length})`,
    table(["site", "members", "d", "params", "line"], rows),
    "  fusion: 3d^2 + 3d parameters per site (query, key and value projections with biases)",
  ];
}

/** The `explain --json` object; totals under `totals: {base, added, head, trainable, trainablePercent}`. */
export function explainJson(plan: CompiledPlan, cache: FrozenCacheEstimate | null = null): unknown {
  const frozen = frozenPrefix(plan);
  return {
    model: plan.model,
    formulas: Object.fromEntries(formulas(plan)),
    sites: plan.operations.map((op) => ({
      id: op.id,
      adapter: op.adapter,
      kind: op.kind,
      site: op.site,
      position: op.position,
      layerIndex: op.layerIndex,
      d: op.d,
      size: op.size,
      params: op.params,
      line: op.source.line,
      ...(op.origin ? { origin: op.origin } : {}),
    })),
    fusions: plan.fusions ?? [],
    head: plan.head,
    weights: plan.weights.map((w) => ({
      name: w.name,
      owner: w.owner,
      layer: w.layer,
      shape: w.shape,
      params: w.params,
      trainable: w.trainable,
      rule: w.rule,
    })),
    frozenPrefix: { ...(frozen.prefix ?? { layers: 0 }), reason: frozen.reason, cache },
    totals: plan.totals,
  };
}

function shapeText(shape: readonly (number | null)[] | null): string {
  return shape === null ? "?" : `[${shape.map((d) => d ?? "null").join(", ")}]`;
}

/** The readable `inspect` report: a model's layers in topological order. */
export function inspectText(m: ModelManifest): string {
  const rows = m.layers.map((l) => [l.path, l.className, shapeText(l.outputShape), l.params]);
  return [
    `${m.file}: ${m.className} \`${m.name}\`, ${m.layers.length} layers, ${thousands(m.params)} parameters in ${m.weights.length} weights`,
    `inputs: ${m.inputs.join(", ")}; outputs: ${m.outputs.join(", ")}; layer numbers: ${m.layerIndices.length > 0 ? `${m.layerIndices[0]}..${m.layerIndices[m.layerIndices.length - 1]}` : "none"}`,
    `fingerprint: ${m.fingerprint}`,
    "",
    table(["path", "class", "output shape", "params"], rows),
    "",
  ].join("\n");
}

/** The `inspect --json` object. */
export function inspectJson(m: ModelManifest): unknown {
  return {
    file: m.file,
    className: m.className,
    name: m.name,
    params: m.params,
    fingerprint: m.fingerprint,
    inputs: m.inputs,
    outputs: m.outputs,
    layers: m.layers.map((l) => ({
      path: l.path,
      className: l.className,
      layerIndex: l.layerIndex,
      outputShape: l.outputShape,
      inbound: l.inbound,
      params: l.params,
      weights: l.weights.map((w) => ({ name: w.name, shape: w.shape, dtype: w.dtype, params: w.params })),
    })),
  };
}
