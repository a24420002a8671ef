/**
 * Runtime of kind `prefix`: a {@link PrefixAdapter} whose rows the attention layer prepends to its keys
 * and values; an artifact saves the rows themselves (`keys_values`), not the reparameterisation.
 */
import type * as tf from "@tensorflow/tfjs";
import { PrefixAdapter } from "../layers/index.ts";
import type { RuntimeKind } from "./define.ts";

/** The `prefix` kind's layer and saved tensors. */
export const prefix: RuntimeKind<"prefix"> = {
  name: "prefix",
  join: "attention",
  linearSite: false,
  layer: (op, config, name, ctx) =>
    new PrefixAdapter({ name, d: op.d, length: op.size ?? 1, hidden: config.hidden, seed: ctx.seed }),
  artifactTensors: (layer) => {
    if (!(layer instanceof PrefixAdapter)) throw new Error(`${layer.name} is not a prefix layer`);
    return new Map<string, tf.Tensor>([["keys_values", layer.prefixRows()]]);
  },
};
