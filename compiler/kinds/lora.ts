/**
 * Kind `lora` (Hu et al. 2021): W + (alpha/r)·A·B on a dense kernel [n_in, n_out], B zero-initialised
 * (exact at step 0), r(n_in + n_out) parameters; merges into the kernel.
 */
import type { JSONSchemaType } from "ajv";
import { defineKind } from "./define.ts";

/** The IR config of a LoRA operation. */
export interface LoraConfig {
  readonly kind: "lora";
  /** The dense kernel's [n_in, n_out]. */
  readonly kernelShape: number[];
  readonly alpha: number;
  /** alpha / rank. */
  readonly scale: number;
  /** Dropout on the branch's input. */
  readonly dropout: number;
}

const configSchema: JSONSchemaType<LoraConfig> = {
  type: "object",
  required: ["kind", "kernelShape", "alpha", "scale", "dropout"],
  additionalProperties: false,
  properties: {
    kind: { type: "string", const: "lora" },
    kernelShape: { type: "array", items: { type: "integer", minimum: 1 }, minItems: 2, maxItems: 2 },
    alpha: { type: "number", minimum: 0 },
    scale: { type: "number" },
    dropout: { type: "number", minimum: 0, maximum: 1 },
  },
};

/** The `lora` kind. */
export const lora = defineKind({
  name: "lora",
  level: "weight",
  positions: ["to"],
  target: "dense",
  doc: "low-rank update of a dense kernel (Hu et al. 2021): W + (alpha/r)·A·B, B starting at zero",
  args: {
    rank: { value: { type: "int", min: 1 }, default: 8, doc: "rank r of B·A (overridden by `size` statements)" },
    alpha: { value: { type: "number", min: 0 }, default: 8, doc: "scaling numerator: the update is (alpha/r)·B·A" },
    dropout: { value: { type: "number", min: 0, max: 1 }, default: 0, doc: "dropout on the LoRA branch's input" },
  },
  sizeArg: "rank",
  formula: "r(n_in + n_out)",
  config: (args, site, r): LoraConfig => ({
    kind: "lora",
    kernelShape: [...(site.kernelShape ?? [site.d, site.d])],
    alpha: args.alpha,
    scale: args.alpha / r,
    dropout: args.dropout,
  }),
  weights: (config, _site, r) => [
    { suffix: "lora_A", shape: [config.kernelShape[0] ?? 0, r] },
    { suffix: "lora_B", shape: [r, config.kernelShape[1] ?? 0] },
  ],
  startsAs: () => "exact",
  mergeable: true,
  configSchema,
});
