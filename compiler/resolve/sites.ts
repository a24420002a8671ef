/**
 * Adapter sites: every `insert`/`apply` statement's selector matched against the model, each matched
 * layer checked for its position and shape. ADAPT212 (no feature dimension), ADAPT213 (weight-level
 * target is not dense), ADAPT214 (`before` a layer without exactly one input), ADAPT217 (a parallel
 * site that changes the feature size), ADAPT221 (an attention-level kind on another layer), ADAPT128 (the
 * same adapter twice at one site).
 */
import type * as A from "../../grammar/ast.ts";
import { diag, type Diagnostic, type StageResult } from "../diagnostics/diagnostic.ts";
import type { CheckedAdapter, CheckedSpec } from "../frontend/checked.ts";
import type { OpPosition } from "../ir/types.ts";
import type { LayerInfo, ModelManifest } from "../model/types.ts";
import { matchSelector, suggestionBudget, type SuggestionBudget } from "./selector.ts";

/** The layer class of an attention layer whose keys and values surgery can extend (runtime/bert). */
export const ATTENTION_CLASS = "MaskedSelfAttention";

/** One place where an adapter goes. */
export interface Site {
  readonly adapter: CheckedAdapter;
  readonly layer: LayerInfo;
  readonly position: OpPosition;
  /** The feature size: output (after, parallel, weight) or input (before) last dimension. */
  readonly d: number;
  /** Dense kernel [n_in, n_out] for weight-level adapters. */
  readonly kernelShape: readonly [number, number] | null;
  readonly stmt: A.InsertStmt | A.ApplyStmt;
}

/** The last dimension of a layer's output, or null. */
export function lastDim(layer: LayerInfo | undefined): number | null {
  const s = layer?.outputShape;
  const d = s && s.length > 1 ? s[s.length - 1] : null;
  return d ?? null;
}

/** Matches every placement and checks each site; sites in statement order, then model order. */
export function resolveSites(
  checked: CheckedSpec,
  manifest: ModelManifest,
  budget: SuggestionBudget = suggestionBudget(),
): StageResult<Site[]> {
  const diagnostics: Diagnostic[] = [];
  const sites: Site[] = [];
  const taken = new Map<string, A.InsertStmt | A.ApplyStmt>();
  for (const stmt of checked.placements) {
    const adapter = checked.adapters.get(stmt.adapter.name);
    if (adapter === undefined) continue;
    const match = matchSelector(stmt.selector, manifest, { budget });
    diagnostics.push(...match.diagnostics);
    for (const layer of match.value.layers) {
      const key = `${adapter.name}@${layer.path}`;
      const before = taken.get(key);
      if (before !== undefined) {
        const labels = before === stmt ? [] : [{ span: before.selector.span, message: "first placed here" }];
        diagnostics.push(
          diag(
            "ADAPT128",
            stmt.selector.span,
            `\`${adapter.name}\` is already placed at \`${layer.path}\` by line ${before.span.start.line}`,
            { labels },
          ),
        );
        continue;
      }
      const site = checkSite(stmt, adapter, layer, manifest);
      if ("code" in site) diagnostics.push(site);
      else {
        taken.set(key, stmt);
        sites.push(site);
      }
    }
  }
  return { value: sites, diagnostics };
}

function checkSite(
  stmt: A.InsertStmt | A.ApplyStmt,
  adapter: CheckedAdapter,
  layer: LayerInfo,
  manifest: ModelManifest,
): Site | Diagnostic {
  const span = stmt.selector.span;
  const at = (position: OpPosition, d: number, kernelShape: Site["kernelShape"] = null): Site => ({
    adapter,
    layer,
    position,
    d,
    kernelShape,
    stmt,
  });
  if (stmt.kind === "Apply" && adapter.def.target === "attention") {
    const d = lastDim(layer);
    if (layer.className !== ATTENTION_CLASS || d === null) {
      return diag(
        "ADAPT221",
        span,
        `\`${adapter.name}\` (${adapter.kind}) needs an attention layer (\`${ATTENTION_CLASS}\`), but \`${layer.path}\` is a \`${layer.className}\``,
        {
          help: 'select the attention layers themselves, e.g. `"encoder.layer.*.attention.self.context"`',
        },
      );
    }
    return at("attention", d);
  }
  if (stmt.kind === "Apply") {
    if (layer.kernelShape === null) {
      return diag(
        "ADAPT213",
        span,
        `\`${adapter.name}\` (${adapter.kind}) needs a dense layer, but \`${layer.path}\` is a \`${layer.className}\` without a 2-d kernel`,
      );
    }
    return at("weight", layer.kernelShape[1], layer.kernelShape);
  }
  if (stmt.position === "before") {
    if (layer.inbound.length !== 1) {
      const why =
        layer.inbound.length === 0 ? "reads the model's input directly" : `has ${layer.inbound.length} inputs`;
      return diag("ADAPT214", span, `\`before\` needs a layer with exactly one input, but \`${layer.path}\` ${why}`, {
        help: layer.inbound.length > 1 ? "place the adapter `after` one of the layers that feed it" : undefined,
      });
    }
    const d = lastDim(manifest.byPath.get(layer.inbound[0]!));
    if (d === null) return noFeature(span, layer, "input");
    return at("before", d);
  }
  const d = lastDim(layer);
  if (d === null) return noFeature(span, layer, "output");
  if (stmt.position === "parallel") {
    if (layer.inbound.length !== 1) {
      return diag(
        "ADAPT214",
        span,
        `a parallel adapter reads one input, but \`${layer.path}\` has ${layer.inbound.length}`,
      );
    }
    const dIn = lastDim(manifest.byPath.get(layer.inbound[0]!));
    if (dIn !== d) {
      return diag(
        "ADAPT217",
        span,
        `a parallel adapter needs equal input and output sizes, but \`${layer.path}\` maps ${dIn ?? "an unknown size"} to ${d}`,
      );
    }
  }
  return at(stmt.position, d);
}

function noFeature(span: A.Span, layer: LayerInfo, which: string): Diagnostic {
  const shape = layer.outputShape ? `[${layer.outputShape.map((x) => x ?? "?").join(", ")}]` : "unknown";
  return diag(
    "ADAPT212",
    span,
    `the ${which} of \`${layer.path}\` (\`${layer.className}\`, shape ${shape}) has no known feature dimension`,
  );
}
