/**
 * Parameter accounting of the contract: the weights each adapter kind adds at a site (declared by the
 * kind in `compiler/kinds/`, whose sizes sum to its formula: 2md + d + m for a bottleneck, r(n_in +
 * n_out) for LoRA, ...); the head's weights (classifier d·classes + classes, regression d + 1); totals.
 */
import type { AddedWeight, TotalsIR, WeightTrainability } from "../ir/types.ts";
import type { SiteShape } from "../kinds/define.ts";
import type { AnyKind, KindConfig } from "../kinds/registry.ts";

/** The added layer's name for an adapter at a site: `adapter.<adapter>.<site>`. */
export function adapterLayerName(adapter: string, site: string): string {
  return `adapter.${adapter}.${site}`;
}

/** The weights an operation of `kind` with `config` adds at a site, named after its layer. */
export function kindWeights(
  kind: AnyKind,
  config: KindConfig,
  layer: string,
  site: SiteShape,
  size: number,
): AddedWeight[] {
  return kind.weights(config, site, size).map((w) => ({ name: `${layer}/${w.suffix}`, shape: [...w.shape] }));
}

/** The parameters of a list of weights: the sum of their sizes (each kind's formula, by construction). */
export function paramsOf(weights: readonly AddedWeight[]): number {
  return weights.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
}

/** The head's weights: one dense layer from the pooled d features to `classes` outputs. */
export function headWeights(d: number, classes: number): AddedWeight[] {
  return [
    { name: "head/dense/kernel", shape: [d, classes] },
    { name: "head/dense/bias", shape: [classes] },
  ];
}

/** The totals: base, added (adapters), head, trainable (of all three) and trainable as % of base. */
export function totals(base: number, added: number, head: number, weights: readonly WeightTrainability[]): TotalsIR {
  const trainable = weights.reduce((s, w) => s + (w.trainable ? w.params : 0), 0);
  return { base, added, head, trainable, trainablePercent: base > 0 ? (trainable / base) * 100 : 0 };
}
