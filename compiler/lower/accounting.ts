/**
 * Parameter accounting of the contract: the weights each adapter kind adds at a site, whose sizes sum
 * to 2md + d + m (bottleneck, parallel), r(n_in + n_out) (lora) and d (ia3); the head's weights
 * (classifier d·classes + classes, regression d + 1); and the totals.
 */
import type { AddedWeight, AdapterKind, TotalsIR, WeightTrainability } from "../ir/types.ts";

/** The added layer's name for an adapter at a site: `adapter.<adapter>.<site>`. */
export function adapterLayerName(adapter: string, site: string): string {
  return `adapter.${adapter}.${site}`;
}

/** The weights an adapter adds at one site; `size` is m or r (ignored for ia3). */
export function adapterWeights(
  kind: AdapterKind,
  layer: string,
  d: number,
  size: number,
  kernel: readonly [number, number] | null,
): AddedWeight[] {
  switch (kind) {
    case "bottleneck":
    case "parallel":
      return [
        { name: `${layer}/down/kernel`, shape: [d, size] },
        { name: `${layer}/down/bias`, shape: [size] },
        { name: `${layer}/up/kernel`, shape: [size, d] },
        { name: `${layer}/up/bias`, shape: [d] },
      ];
    case "lora": {
      const [nIn, nOut] = kernel ?? [d, d];
      return [
        { name: `${layer}/lora_A`, shape: [nIn, size] },
        { name: `${layer}/lora_B`, shape: [size, nOut] },
      ];
    }
    case "ia3":
      return [{ name: `${layer}/scale`, shape: [d] }];
  }
}

/** The contract's formula for the parameters an adapter adds at one site. */
export function adapterParams(
  kind: AdapterKind,
  d: number,
  size: number,
  kernel: readonly [number, number] | null,
): number {
  switch (kind) {
    case "bottleneck":
    case "parallel":
      return 2 * size * d + d + size;
    case "lora":
      return size * ((kernel?.[0] ?? d) + (kernel?.[1] ?? d));
    case "ia3":
      return d;
  }
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
