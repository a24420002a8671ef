/**
 * Hover texts (Markdown): the model path shows the model's size; an adapter name shows its kind and
 * resolved arguments and where it is placed;
 * an adapter kind shows its argument table; a selector shows how many layers it matches in the spec's
 * model and, for `insert`/`apply`, the parameters it adds (the numbers `adapt explain` reports).
 */
import type * as A from "../../grammar/ast.ts";
import { ADAPTER_ARGS } from "../../compiler/kinds/registry.ts";
import type { ArgTable } from "../../compiler/schema/args.ts";
import { matchSelector } from "../../compiler/resolve/selector.ts";
import type { ResolvedArgs } from "../../compiler/schema/resolve-args.ts";
import type { DocumentState } from "./analysis.ts";
import { locate, type Located } from "./locate.ts";

/** The hover text at `offset`, or null. */
export function hoverText(doc: DocumentState, offset: number): { text: string; span: A.Span } | null {
  const at = locate(doc.analysis.spec, offset);
  if (at === null) return null;
  const text = describe(doc, at);
  if (text === null) return null;
  const span =
    at.kind === "selector" ? at.selector.pattern.span : at.kind === "model" ? at.stmt.path.span : at.ident.span;
  return { text, span };
}

function describe(doc: DocumentState, at: Located): string | null {
  switch (at.kind) {
    case "adapterName":
      return adapterHover(doc, at.ident.name);
    case "adapterKind": {
      const table = Object.hasOwn(ADAPTER_ARGS, at.ident.name) ? ADAPTER_ARGS[at.ident.name] : undefined;
      return table === undefined ? null : `**${at.ident.name}** adapter\n\n${argTable(table)}`;
    }
    case "selector":
      return at.stmt.kind === "Rule" ? ruleHover(doc, at.selector) : placementHover(doc, at.stmt);
    case "model": {
      const m = doc.model?.manifest;
      if (!m) return null;
      const added = sum(doc.sites.map((s) => s.params));
      return `**${m.className}** \`${m.name}\`: ${plural(m.layers.length, "layer")}, ${plural(m.params, "parameter")}; the surgery adds ${plural(added, "parameter")}`;
    }
  }
}

function adapterHover(doc: DocumentState, name: string): string | null {
  const adapter = doc.analysis.checked?.adapters.get(name);
  if (adapter === undefined) return null;
  const lines = [`**adapter ${name}** = \`${adapter.kind}\`(${formatArgs(adapter.args)})`];
  const sites = doc.sites.filter((s) => s.adapter === name);
  if (sites.length > 0)
    lines.push(
      "",
      `placed at ${plural(sites.length, "site")}, adding ${plural(sum(sites.map((s) => s.params)), "parameter")}`,
    );
  return lines.join("\n");
}

function placementHover(doc: DocumentState, stmt: A.InsertStmt | A.ApplyStmt): string {
  const missing = modelMissing(doc);
  if (missing !== null) return missing;
  const sites = doc.sites.filter((s) => s.stmt.span.start.offset === stmt.span.start.offset);
  const head = `matches ${plural(sites.length, "layer")}; adds ${plural(sum(sites.map((s) => s.params)), "parameter")}`;
  const rows = sites
    .slice(0, 12)
    .map((s) => `| \`${s.layer}\` | ${s.layerIndex ?? ""} | ${s.d} | ${s.size ?? ""} | ${s.params} |`);
  const more = sites.length > 12 ? [`\n…and ${sites.length - 12} more`] : [];
  return sites.length === 0
    ? head
    : [head, "", "| site | layer | d | m | params |", "|---|---|---|---|---|", ...rows, ...more].join("\n");
}

function ruleHover(doc: DocumentState, selector: A.Selector): string {
  const missing = modelMissing(doc);
  if (missing !== null) return missing;
  const manifest = doc.model!.manifest!;
  const match = matchSelector(selector, manifest, { weights: true }).value;
  const layerParams = sum(match.layers.map((l) => l.params));
  const weightParams = sum(
    match.weights.filter((w) => !match.layers.some((l) => l.path === w.layer)).map((w) => w.params),
  );
  const weights = match.weights.length > 0 ? ` and ${plural(match.weights.length, "weight")}` : "";
  return `matches ${plural(match.layers.length, "layer")}${weights} with ${plural(layerParams + weightParams, "base parameter")}`;
}

function modelMissing(doc: DocumentState): string | null {
  if (doc.model === null) return "no model: the spec's `model` file was not found, so its selectors cannot be matched";
  if (doc.model.manifest === null) return "the model file could not be read";
  if (doc.analysis.checked === null) return "fix the syntax errors to see what this selector matches";
  return null;
}

function argTable(table: ArgTable): string {
  const rows = Object.entries(table).map(([key, spec]) => {
    const def = spec.required ? "required" : spec.default === undefined ? "" : `\`${formatValue(spec.default)}\``;
    return `| \`${key}\` | ${def} | ${spec.doc} |`;
  });
  return rows.length === 0
    ? "takes no arguments"
    : ["| argument | default | meaning |", "|---|---|---|", ...rows].join("\n");
}

function formatArgs(args: ResolvedArgs): string {
  return Object.entries(args)
    .map(([k, v]) => `${k}: ${formatValue(v)}`)
    .join(", ");
}

function formatValue(v: ResolvedArgs[string]): string {
  if (typeof v !== "object") return String(v);
  const { kind, ...rest } = v;
  const inner = Object.entries(rest).map(([k, x]) => `${k}: ${formatValue(x)}`);
  return inner.length > 0 ? `${kind}(${inner.join(", ")})` : kind;
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
}
