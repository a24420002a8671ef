/**
 * Trainability: `train`/`freeze` rules in source order over every base weight, adapter weight and head
 * weight. Defaults: base frozen, loaded adapters (`use`) frozen, the spec's own adapters, fusions and
 * the head trainable. `adapters` covers the spec's own adapters and fusions, `all` everything, and
 * `NAME` one adapter, loaded adapter or fusion. The last rule that matches a weight
 * decides it, and is recorded with its line. A selector chooses layers (all their weights) or, with a
 * `/` in a glob or as a regex, single weights by name. ADAPT123 warns about a rule that decides nothing.
 */
import type * as A from "../../grammar/ast.ts";
import { diag, type Diagnostic, type StageResult } from "../diagnostics/diagnostic.ts";
import type { AddedWeight, RuleRef, WeightTrainability } from "../ir/types.ts";
import type { ModelManifest } from "../model/types.ts";
import { shapeSize } from "../model/types.ts";
import { patternText } from "./ranges.ts";
import { matchSelector, suggestionBudget, type SuggestionBudget } from "./selector.ts";

/** A weight the surgery or the head adds, with the layer that will own it. */
export interface OwnedWeight extends AddedWeight {
  readonly layer: string;
  /** The adapter, loaded adapter or fusion it belongs to, as `train NAME` names it. */
  readonly group?: string;
  /** True for a loaded adapter's weight: frozen by default, and `adapters` does not cover it. */
  readonly loaded?: boolean;
}

/** Decides every weight's trainability; the result lists base, then adapter, then head weights. */
export function resolveTrainability(
  rules: readonly A.RuleStmt[],
  manifest: ModelManifest,
  adapters: readonly OwnedWeight[],
  head: readonly OwnedWeight[],
  budget: SuggestionBudget = suggestionBudget(),
): StageResult<WeightTrainability[]> {
  const diagnostics: Diagnostic[] = [];
  const byLayer = new Map<string, number>();
  const byWeight = new Map<string, number>();
  const group = { all: -1, adapters: -1, head: -1 };
  const byName = new Map<string, number>();
  const matched: { layers: readonly string[]; weights: readonly string[] }[] = rules.map(() => ({
    layers: [],
    weights: [],
  }));
  const failed = new Set<number>();
  rules.forEach((rule, i) => {
    if (rule.target.kind === "Group") {
      group[rule.target.group] = i;
      return;
    }
    if (rule.target.kind === "Named") {
      byName.set(rule.target.name.name, i);
      return;
    }
    const m = matchSelector(rule.target, manifest, { weights: true, budget });
    diagnostics.push(...m.diagnostics);
    if (m.diagnostics.length > 0) failed.add(i);
    for (const l of m.value.layers) byLayer.set(l.path, i);
    for (const w of m.value.weights) byWeight.set(w.name, i);
    matched[i] = { layers: m.value.layers.map((l) => l.path), weights: m.value.weights.map((w) => w.name) };
  });
  const decided = new Array<number>(rules.length).fill(0);
  const refs = rules.map((r) => ({ action: r.action, line: r.span.start.line, text: ruleText(r) }) satisfies RuleRef);
  const entry = (
    name: string,
    owner: WeightTrainability["owner"],
    layer: string,
    shape: readonly number[],
    idx: number,
    byDefault: boolean,
  ): WeightTrainability => {
    if (idx >= 0) decided[idx]!++;
    const rule = idx >= 0 ? refs[idx]! : null;
    return {
      name,
      owner,
      layer,
      shape: [...shape],
      params: shapeSize(shape),
      trainable: rule ? rule.action === "train" : byDefault,
      rule,
    };
  };
  const out: WeightTrainability[] = [];
  for (const w of manifest.weights) {
    const idx = Math.max(byLayer.get(w.layer) ?? -1, byWeight.get(w.name) ?? -1, group.all);
    out.push(entry(w.name, "base", w.layer, w.shape, idx, false));
  }
  for (const w of adapters) {
    const named = w.group === undefined ? -1 : (byName.get(w.group) ?? -1);
    const idx = Math.max(w.loaded === true ? -1 : group.adapters, group.all, named);
    out.push(entry(w.name, "adapter", w.layer, w.shape, idx, w.loaded !== true));
  }
  for (const w of head) out.push(entry(w.name, "head", w.layer, w.shape, Math.max(group.head, group.all), true));
  const decider = (layer: string, weight: string) =>
    Math.max(byLayer.get(layer) ?? -1, byWeight.get(weight) ?? -1, group.all);
  rules.forEach((rule, i) => {
    if (decided[i]! > 0 || failed.has(i)) return;
    const lines = new Set<number>();
    for (const path of matched[i]!.layers)
      for (const w of manifest.byPath.get(path)?.weights ?? []) lines.add(decider(path, w.name));
    for (const name of matched[i]!.weights)
      lines.add(decider(manifest.weights.find((w) => w.name === name)?.layer ?? "", name));
    const later = [...lines]
      .filter((x) => x > i)
      .sort((a, b) => a - b)
      .map((x) => rules[x]!.span.start.line);
    const why = noEffectReason(rule, later, adapters.length, head.length);
    diagnostics.push(diag("ADAPT123", rule.span, `\`${refs[i]!.text}\` has no effect: ${why}`));
  });
  return { value: out, diagnostics };
}

function noEffectReason(rule: A.RuleStmt, later: readonly number[], adapters: number, head: number): string {
  if (rule.target.kind === "Group" && rule.target.group === "adapters" && adapters === 0)
    return "the spec adds no adapters";
  if (rule.target.kind === "Group" && rule.target.group === "head" && head === 0) return "the spec has no head";
  if (rule.target.kind === "Group" || rule.target.kind === "Named")
    return "every weight it matches is decided by a later rule";
  if (later.length === 0) return "the layers it matches have no weights";
  const lines = later.length > 5 ? `${later.slice(0, 5).join(", ")}, ...` : later.join(", ");
  return `every weight it matches is decided by a later rule (line ${lines})`;
}

/** The rule as a short text: `train "**.LayerNorm" in layers 9..11`. */
export function ruleText(rule: A.RuleStmt): string {
  const t = rule.target;
  if (t.kind === "Group") return `${rule.action} ${t.group}`;
  if (t.kind === "Named") return `${rule.action} ${t.name.name}`;
  const pattern = t.pattern.kind === "Glob" ? JSON.stringify(t.pattern.text) : patternText(t.pattern).slice(1, -1);
  const parts = [rule.action, pattern];
  if (t.layers)
    parts.push(`in layers ${t.layers.map((r) => (r.to ? `${r.from.text}..${r.to.text}` : r.from.text)).join(", ")}`);
  if (t.layerType) parts.push(`where type = ${t.layerType.name}`);
  if (t.expect) parts.push(`expect ${t.expect.text}`);
  return parts.join(" ");
}
