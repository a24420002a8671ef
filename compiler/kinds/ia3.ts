/**
 * Kind `ia3` (Liu et al. 2022): a learned per-channel scale on a dense layer's output, starting at 1
 * (exact at step 0), d parameters; no size. Merges into a linear Dense site (W·diag(l), b ⊙ l).
 */
import type { JSONSchemaType } from "ajv";
import { defineKind } from "./define.ts";

/** The IR config of an IA3 operation (it has no settings). */
export interface Ia3Config {
  readonly kind: "ia3";
}

const configSchema: JSONSchemaType<Ia3Config> = {
  type: "object",
  required: ["kind"],
  additionalProperties: false,
  properties: { kind: { type: "string", const: "ia3" } },
};

/** The `ia3` kind. */
export const ia3 = defineKind({
  name: "ia3",
  level: "weight",
  positions: ["to"],
  target: "dense",
  doc: "learned per-channel scale of a layer's output (Liu et al. 2022), starting at 1",
  args: {},
  sizeArg: null,
  formula: "d",
  config: (): Ia3Config => ({ kind: "ia3" }),
  weights: (_config, site) => [{ suffix: "scale", shape: [site.d] }],
  startsAs: () => "exact",
  mergeable: true,
  configSchema,
});
