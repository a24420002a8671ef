/**
 * What the surgery does at each site, for hovers and model-aware diagnostics: the compiler's site and
 * size resolution over the spec's model, lowered to surgery operations by the compiler itself, so the
 * parameter counts are the ones `adapt explain` reports.
 */
import type * as A from "../../grammar/ast.ts";
import type { ResolvedSurgery } from "../../compiler/compile.ts";
import type { StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import type { CheckedSpec } from "../../compiler/frontend/checked.ts";
import type { ModelManifest } from "../../compiler/model/types.ts";
import { resolveSites } from "../../compiler/resolve/sites.ts";
import { lowerSite } from "../../compiler/lower/lower.ts";
import { resolveSizes } from "../../compiler/resolve/sizes.ts";

/** One matched site of an `insert` or `apply` statement. */
export interface SiteSummary {
  readonly stmt: A.InsertStmt | A.ApplyStmt;
  readonly adapter: string;
  readonly layer: string;
  readonly layerIndex: number | null;
  readonly d: number;
  /** Bottleneck size or LoRA rank; null for ia3 or when the size did not resolve. */
  readonly size: number | null;
  readonly params: number;
}

/**
 * Every site of the surgery that resolves, even when other statements have errors (the compiler reports
 * those). `resolved` is the pipeline's own resolution when it got that far; otherwise the sites are
 * resolved here (the pipeline stops before the model when the model-free checks find errors).
 */
export function summarizeSurgery(
  checked: CheckedSpec,
  manifest: ModelManifest,
  resolved: ResolvedSurgery | null = null,
): StageResult<SiteSummary[]> {
  if (resolved !== null) return { value: summaries(resolved), diagnostics: [] };
  const sites = resolveSites(checked, manifest);
  const sizes = resolveSizes(checked, manifest, sites.value);
  const operations = sites.value.map((site, i) => lowerSite(site, sizes.value[i] ?? null));
  return {
    value: summaries({ sites: sites.value, operations }),
    diagnostics: [...sites.diagnostics, ...sizes.diagnostics],
  };
}

function summaries({ sites, operations }: ResolvedSurgery): SiteSummary[] {
  return operations.map((op, i) => ({
    stmt: sites[i]!.stmt,
    adapter: op.adapter,
    layer: op.site,
    layerIndex: op.layerIndex,
    d: op.d,
    size: op.size,
    params: op.params,
  }));
}
