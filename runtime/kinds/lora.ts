/** Runtime of kind `lora`: a {@link LoraAdapter} on a linear Dense site; merges as W + scale·A·B. */
import * as tf from "@tensorflow/tfjs";
import { LoraAdapter } from "../layers/index.ts";
import type { RuntimeKind } from "./define.ts";

/** The `lora` kind's layer and merge. */
export const lora: RuntimeKind<"lora"> = {
  name: "lora",
  join: "beside",
  linearSite: true,
  layer: (op, config, name, ctx) => {
    const [nIn, nOut] = config.kernelShape;
    return new LoraAdapter({
      name,
      nIn: nIn ?? op.d,
      nOut: nOut ?? op.d,
      rank: op.size ?? 1,
      scale: config.scale,
      dropout: config.dropout,
      activation: ctx.siteActivation,
      seed: ctx.seed,
    });
  },
  merge: (config, weight, site) => ({
    kernel: tf.add(
      site.kernel,
      tf.mul(tf.matMul(weight("lora_A") as tf.Tensor2D, weight("lora_B") as tf.Tensor2D), config.scale),
    ),
    bias: site.bias,
  }),
};
