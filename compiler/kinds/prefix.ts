/**
 * Kind `prefix` (Li & Liang 2021, prefix tuning): L learned key and value rows prepended to an attention
 * layer's keys and values. While training they are the output of a reparameterisation MLP over an
 * embedding, P = up(tanh(down(E))) (`hidden` wide); the artifact stores only P ([L, 2d]).
 */
import type { JSONSchemaType } from "ajv";
import { defineKind } from "./define.ts";

/** The IR config of a prefix operation. */
export interface PrefixConfig {
  readonly kind: "prefix";
  /** Width of the reparameterisation MLP; 0 when the prefixes are stored directly (artifacts). */
  readonly hidden: number;
}

const configSchema: JSONSchemaType<PrefixConfig> = {
  type: "object",
  required: ["kind", "hidden"],
  additionalProperties: false,
  properties: { kind: { type: "string", const: "prefix" }, hidden: { type: "integer", minimum: 0 } },
};

/** The `prefix` kind. */
export const prefix = defineKind({
  name: "prefix",
  level: "weight",
  positions: ["to"],
  target: "attention",
  doc: "prefix tuning (Li & Liang 2021): learned key/value rows prepended in an attention layer, trained through a reparameterisation MLP",
  args: {
    length: {
      value: { type: "int", min: 1 },
      default: 10,
      doc: "L, the number of prefix rows (overridden by `size` statements)",
    },
    hidden: {
      value: { type: "int", min: 0 },
      default: 64,
      doc: "width of the reparameterisation MLP while training (0: train the prefixes directly)",
    },
  },
  sizeArg: "length",
  formula: "training Ld + 3hd + h + 2d with the MLP (2Ld without), saved 2Ld",
  config: (args): PrefixConfig => ({ kind: "prefix", hidden: args.hidden }),
  weights: ({ hidden: h }, { d }, L) =>
    h === 0
      ? [{ suffix: "keys_values", shape: [L, 2 * d] }]
      : [
          { suffix: "embedding", shape: [L, d] },
          { suffix: "mlp/down/kernel", shape: [d, h] },
          { suffix: "mlp/down/bias", shape: [h] },
          { suffix: "mlp/up/kernel", shape: [h, 2 * d] },
          { suffix: "mlp/up/bias", shape: [2 * d] },
        ],
  startsAs: () => "none",
  mergeable: false,
  artifactConfig: (config) => ({ ...config, hidden: 0 }),
  configSchema,
});
