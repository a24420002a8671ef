/**
 * Kind `parallel` (He et al. 2022): the bottleneck reads the site's input and its output, times
 * `scale`, is added to the site's output; 2md + d + m parameters.
 */
import type { InitIR } from "../ir/types.ts";
import type { JSONSchemaType } from "ajv";
import { defineKind } from "./define.ts";
import { activationArg, activationSchema, bottleneckWeights, initArg, initIR, initSchema, sizeArg } from "./shared.ts";

/** The IR config of a parallel operation. */
export interface ParallelConfig {
  readonly kind: "parallel";
  readonly activation: string;
  readonly init: InitIR;
  /** Factor on the adapter's output. */
  readonly scale: number;
}

const configSchema: JSONSchemaType<ParallelConfig> = {
  type: "object",
  required: ["kind", "activation", "init", "scale"],
  additionalProperties: false,
  properties: {
    kind: { type: "string", const: "parallel" },
    activation: activationSchema,
    init: initSchema,
    scale: { type: "number" },
  },
};

/** The `parallel` kind. */
export const parallel = defineKind({
  name: "parallel",
  level: "module",
  positions: ["parallel"],
  target: "features",
  doc: "parallel adapter (He et al. 2022): y = h + scale·up(act(down(x))) beside a layer",
  args: {
    size: sizeArg,
    activation: activationArg,
    init: initArg,
    scale: { value: { type: "number" }, default: 1, doc: "factor on the adapter's output" },
  },
  sizeArg: "size",
  formula: "2md + d + m",
  config: (args): ParallelConfig => ({
    kind: "parallel",
    activation: args.activation,
    init: initIR(args.init),
    scale: args.scale,
  }),
  weights: (_config, site, m) => bottleneckWeights(site.d, m),
  startsAs: (config) => (config.init.kind === "zeros" ? "exact" : "near"),
  mergeable: false,
  configSchema,
});
