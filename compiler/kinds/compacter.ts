/**
 * Kind `compacter` (Karimi Mahabadi et al. 2021, Compacter): a serial bottleneck whose down and up
 * weights are parameterised hypercomplex multiplications, W = Σᵢ Aᵢ ⊗ (sᵢ tᵢ) over n Kronecker factors
 * with rank-r factors sᵢ tᵢ: 2n³ + 2r(d + m) + d + m parameters at a site instead of 2md + d + m.
 */
import type { JSONSchemaType } from "ajv";
import type { InitIR } from "../ir/types.ts";
import { defineKind } from "./define.ts";
import { activationArg, activationSchema, initArg, initIR, initSchema, sizeArg } from "./shared.ts";

/** The IR config of a Compacter operation. */
export interface CompacterConfig {
  readonly kind: "compacter";
  readonly activation: string;
  readonly init: InitIR;
  /** n: the number of Kronecker factors (divides d and m). */
  readonly phm: number;
  /** r: the rank of each factor sᵢ tᵢ. */
  readonly rank: number;
}

const configSchema: JSONSchemaType<CompacterConfig> = {
  type: "object",
  required: ["kind", "activation", "init", "phm", "rank"],
  additionalProperties: false,
  properties: {
    kind: { type: "string", const: "compacter" },
    activation: activationSchema,
    init: initSchema,
    phm: { type: "integer", minimum: 1 },
    rank: { type: "integer", minimum: 1 },
  },
};

/** The `compacter` kind. */
export const compacter = defineKind({
  name: "compacter",
  level: "module",
  positions: ["after", "before"],
  target: "features",
  doc: "Compacter (Karimi Mahabadi et al. 2021): a serial bottleneck with Kronecker-factorised weights Σᵢ Aᵢ ⊗ sᵢtᵢ",
  args: {
    size: sizeArg,
    activation: activationArg,
    init: initArg,
    phm: {
      value: { type: "int", min: 1 },
      default: 4,
      doc: "n, the number of Kronecker factors (must divide d and m)",
    },
    rank: { value: { type: "int", min: 1 }, default: 1, doc: "r, the rank of each factor sᵢ·tᵢ" },
  },
  sizeArg: "size",
  formula: "2n³ + 2r(d + m) + d + m",
  config: (args): CompacterConfig => ({
    kind: "compacter",
    activation: args.activation,
    init: initIR(args.init),
    phm: args.phm,
    rank: args.rank,
  }),
  weights: ({ phm: n, rank: r }, { d }, m) => [
    { suffix: "down/phm_rule", shape: [n, n, n] },
    { suffix: "down/left", shape: [n, d / n, r] },
    { suffix: "down/right", shape: [n, r, m / n] },
    { suffix: "down/bias", shape: [m] },
    { suffix: "up/phm_rule", shape: [n, n, n] },
    { suffix: "up/left", shape: [n, m / n, r] },
    { suffix: "up/right", shape: [n, r, d / n] },
    { suffix: "up/bias", shape: [d] },
  ],
  siteProblem: ({ phm: n }, { d }, m) =>
    d % n === 0 && m % n === 0
      ? null
      : `\`phm: ${n}\` must divide both the feature size ${d} and the bottleneck size ${m}`,
  startsAs: (config) => (config.init.kind === "zeros" ? "exact" : "near"),
  mergeable: false,
  configSchema,
});
