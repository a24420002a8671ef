/**
 * One adapter layer per surgery operation, built from the IR: the layer kind, sizes, init and seed.
 */
import type { SurgeryOp } from "../../compiler/ir/types.ts";
import { BottleneckAdapter, Ia3Adapter, LoraAdapter, ParallelAdapter, seedFor } from "../layers/index.ts";
import type { Layer } from "./graph.ts";
import { adapterLayerName } from "./names.ts";

/**
 * The adapter layer for `op`. `denseActivation` is the site Dense's own activation (LoRA applies it
 * after adding the update; the Dense itself then runs linear).
 */
export function adapterLayer(op: SurgeryOp, seed: number, denseActivation = "linear"): Layer {
  const name = adapterLayerName(op);
  const s = seedFor(seed, op.id);
  switch (op.kind) {
    case "bottleneck":
      return new BottleneckAdapter({
        name,
        d: op.d,
        size: op.size ?? 1,
        activation: op.activation ?? "relu",
        init: op.init,
        seed: s,
      });
    case "parallel":
      return new ParallelAdapter({
        name,
        d: op.d,
        size: op.size ?? 1,
        activation: op.activation ?? "relu",
        init: op.init,
        scale: op.scale,
        seed: s,
      });
    case "lora": {
      const [nIn, nOut] = op.kernelShape ?? [op.d, op.d];
      return new LoraAdapter({
        name,
        nIn: nIn ?? op.d,
        nOut: nOut ?? op.d,
        rank: op.size ?? 1,
        scale: op.scale,
        dropout: op.dropout,
        activation: denseActivation,
        seed: s,
      });
    }
    case "ia3":
      return new Ia3Adapter({ name, d: op.d });
  }
}
