/**
 * Lowering: resolved sites, sizes and trainability to the compiled plan (IR). Operations come in
 * statement order, then model order of their sites; each carries its parameters and source span.
 */
import type * as A from "../../grammar/ast.ts";
import { diag, type Diagnostic, type StageResult } from "../diagnostics/diagnostic.ts";
import type { CheckedHead } from "../frontend/checked.ts";
import type { HeadIR, InitIR, SourceRef, SurgeryOp } from "../ir/types.ts";
import type { ModelManifest } from "../model/types.ts";
import { lastDim, type Site } from "../resolve/sites.ts";
import type { OwnedWeight } from "../resolve/trainability.ts";
import { adapterLayerName, adapterParams, adapterWeights, headWeights } from "./accounting.ts";

/** A span as the IR's source reference. */
export function sourceRef(span: A.Span): SourceRef {
  return { line: span.start.line, column: span.start.column, endLine: span.end.line, endColumn: span.end.column };
}

function initOf(site: Site): InitIR {
  const init = site.adapter.args["init"];
  if (site.adapter.kind === "lora" || site.adapter.kind === "ia3" || typeof init !== "object")
    return { kind: "zeros", std: 0 };
  const std = typeof init["std"] === "number" ? init["std"] : 0;
  return init.kind === "zeros" ? { kind: "zeros", std: 0 } : { kind: "near_identity", std };
}

function num(v: unknown, fallback: number): number {
  return typeof v === "number" ? v : fallback;
}

/** The surgery operation for one site of size `size` (null for ia3). */
export function lowerSite(site: Site, size: number | null): SurgeryOp {
  const { adapter, layer } = site;
  const name = adapterLayerName(adapter.name, layer.path);
  const m = size ?? 0;
  const activation =
    adapter.kind === "bottleneck" || adapter.kind === "parallel" ? String(adapter.args["activation"] ?? "relu") : null;
  const scale =
    adapter.kind === "parallel"
      ? num(adapter.args["scale"], 1)
      : adapter.kind === "lora" && m > 0
        ? num(adapter.args["alpha"], m) / m
        : 1;
  return {
    id: `${adapter.name}@${layer.path}`,
    adapter: adapter.name,
    kind: adapter.kind,
    site: layer.path,
    position: site.position,
    layerIndex: layer.layerIndex,
    d: site.d,
    size: adapter.kind === "ia3" ? null : m,
    kernelShape: site.kernelShape ? [...site.kernelShape] : null,
    activation,
    init: initOf(site),
    scale,
    dropout: adapter.kind === "lora" ? num(adapter.args["dropout"], 0) : 0,
    params: adapterParams(adapter.kind, site.d, m, site.kernelShape),
    weights: adapterWeights(adapter.kind, name, site.d, m, site.kernelShape),
    source: sourceRef(site.stmt.span),
  };
}

/** The weights of operations, owned by their added layers. */
export function opWeights(ops: readonly SurgeryOp[]): OwnedWeight[] {
  return ops.flatMap((op) => op.weights.map((w) => ({ ...w, layer: adapterLayerName(op.adapter, op.site) })));
}

/** The head, fed by the model's first output layer (an encoder's last hidden state). */
export function lowerHead(head: CheckedHead | null, manifest: ModelManifest): StageResult<HeadIR | null> {
  if (head === null) return { value: null, diagnostics: [] };
  const input = manifest.outputs[0] ?? manifest.layers[manifest.layers.length - 1]?.path ?? "";
  const d = lastDim(manifest.byPath.get(input));
  if (d === null) {
    const msg = `the head needs the feature size of the model's output \`${input}\`, which is unknown`;
    return { value: null, diagnostics: [diag("ADAPT212", head.stmt.span, msg)] as Diagnostic[] };
  }
  const classes = head.kind === "classifier" ? num(head.args["classes"], 2) : 1;
  const weights = headWeights(d, classes);
  return {
    value: {
      kind: head.kind,
      classes,
      pool: head.args["pool"] === "mean" ? "mean" : "cls",
      dropout: num(head.args["dropout"], 0),
      input,
      d,
      params: d * classes + classes,
      weights,
    },
    diagnostics: [],
  };
}
