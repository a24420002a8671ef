/**
 * Lowering: resolved sites, sizes and trainability to the compiled plan (IR). Operations come in
 * statement order, then model order of their sites; each carries its parameters and source span.
 */
import type * as A from "../../grammar/ast.ts";
import { diag, type Diagnostic, type StageResult } from "../diagnostics/diagnostic.ts";
import type { CheckedHead } from "../frontend/checked.ts";
import type { AdapterKind, HeadIR, OpPosition, SourceRef, SurgeryOp } from "../ir/types.ts";
import { kindOf } from "../kinds/registry.ts";
import type { ArgTable } from "../schema/args.ts";
import { defaultArgs, type ResolvedArgs } from "../schema/resolve-args.ts";
import type { ModelManifest } from "../model/types.ts";
import { lastDim, type Site } from "../resolve/sites.ts";
import { adapterLayerName, headWeights, kindWeights, paramsOf } from "./accounting.ts";

/** A span as the IR's source reference. */
export function sourceRef(span: A.Span): SourceRef {
  return { line: span.start.line, column: span.start.column, endLine: span.end.line, endColumn: span.end.column };
}

/** What an operation is made from: its adapter at a site of some shape, its size and arguments. */
export interface OpSource {
  readonly adapter: string;
  readonly kind: AdapterKind;
  readonly site: string;
  readonly position: OpPosition;
  readonly layerIndex: number | null;
  readonly d: number;
  readonly kernelShape: readonly [number, number] | null;
  readonly size: number | null;
  /** Resolved arguments; missing ones take the kind's defaults. */
  readonly args?: ResolvedArgs;
  readonly source: SourceRef;
}

const defaults = new WeakMap<ArgTable, ResolvedArgs>();

/** The defaults of a kind's arguments, computed once per kind (every site of every statement needs them). */
function defaultsOf(table: ArgTable): ResolvedArgs {
  let known = defaults.get(table);
  if (known === undefined) {
    known = defaultArgs(table);
    defaults.set(table, known);
  }
  return known;
}

/** The surgery operation of `s`: its kind's config, weights and parameters. */
export function buildOp(s: OpSource): SurgeryOp {
  const kind = kindOf(s);
  const shape = { d: s.d, kernelShape: s.kernelShape };
  const m = s.size ?? 0;
  const config = kind.lower({ ...defaultsOf(kind.args), ...s.args }, shape, m);
  const weights = kindWeights(kind, config, adapterLayerName(s.adapter, s.site), shape, m);
  return {
    id: `${s.adapter}@${s.site}`,
    adapter: s.adapter,
    kind: s.kind,
    site: s.site,
    position: s.position,
    layerIndex: s.layerIndex,
    d: s.d,
    size: s.size,
    params: paramsOf(weights),
    weights,
    source: s.source,
    config,
  };
}

/** The surgery operation for one site of size `size` (null for kinds without a size). */
export function lowerSite(site: Site, size: number | null): SurgeryOp {
  const { adapter, layer } = site;
  return buildOp({
    adapter: adapter.name,
    kind: adapter.kind,
    site: layer.path,
    position: site.position,
    layerIndex: layer.layerIndex,
    d: site.d,
    kernelShape: site.kernelShape,
    size,
    args: adapter.args,
    source: sourceRef(site.stmt.span),
  });
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
  const classes = head.kind === "classifier" ? head.args.classes : 1;
  const weights = headWeights(d, classes);
  return {
    value: {
      kind: head.kind,
      classes,
      pool: head.args.pool,
      dropout: head.args.dropout,
      input,
      d,
      params: d * classes + classes,
      weights,
    },
    diagnostics: [],
  };
}
