/**
 * Kind `bottleneck` (Houlsby et al. 2019; Pfeiffer et al. 2021 with one per layer): a serial module
 * y = h + up(act(down(h))) after or before a layer, with 2md + d + m parameters.
 */
import type { InitIR } from "../ir/types.ts";
import type { JSONSchemaType } from "ajv";
import { defineKind } from "./define.ts";
import { activationArg, activationSchema, bottleneckWeights, initArg, initIR, initSchema, sizeArg } from "./shared.ts";

/** The IR config of a bottleneck operation. */
export interface BottleneckConfig {
  readonly kind: "bottleneck";
  readonly activation: string;
  readonly init: InitIR;
}

const configSchema: JSONSchemaType<BottleneckConfig> = {
  type: "object",
  required: ["kind", "activation", "init"],
  additionalProperties: false,
  properties: { kind: { type: "string", const: "bottleneck" }, activation: activationSchema, init: initSchema },
};

/** The `bottleneck` kind. */
export const bottleneck = defineKind({
  name: "bottleneck",
  level: "module",
  positions: ["after", "before"],
  target: "features",
  doc: "serial bottleneck adapter (Houlsby et al. 2019): y = h + up(act(down(h)))",
  args: { size: sizeArg, activation: activationArg, init: initArg },
  sizeArg: "size",
  formula: "2md + d + m",
  config: (args): BottleneckConfig => ({ kind: "bottleneck", activation: args.activation, init: initIR(args.init) }),
  weights: (_config, site, m) => bottleneckWeights(site.d, m),
  startsAs: (config) => (config.init.kind === "zeros" ? "exact" : "near"),
  mergeable: false,
  configSchema,
});
