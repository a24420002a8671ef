/**
 * Pieces several kinds share: the activation and init arguments, the IR init, and the four weights of
 * a bottleneck (down d->m, up m->d, with biases).
 */
import type { JSONSchemaType } from "ajv";
import type { InitIR } from "../ir/types.ts";
import { ACTIVATIONS, INIT_KINDS, type ResolvedCtor } from "../schema/args.ts";
import type { KindWeight } from "./define.ts";

/** The nonlinearity argument. */
export const activationArg = {
  value: { type: "enum", values: ACTIVATIONS },
  default: "relu",
  doc: "nonlinearity between the projections",
} as const;

/** The init argument. */
export const initArg = {
  value: { type: "ctor", table: INIT_KINDS },
  default: { kind: "near_identity", std: 0.01 },
  doc: "`near_identity(std: s)` or `zeros` (up-projection zero: step 0 is exactly the base model)",
} as const;

/** The bottleneck size m. */
export const sizeArg = {
  value: { type: "int", min: 1 },
  default: 64,
  doc: "bottleneck size m (overridden by `size` statements)",
} as const;

/** The IR init of a resolved `init` argument. */
export function initIR(init: ResolvedCtor): InitIR {
  const std = typeof init["std"] === "number" ? init["std"] : 0;
  return init.kind === "zeros" ? { kind: "zeros", std: 0 } : { kind: "near_identity", std };
}

/** The JSON Schema of an init. */
export const initSchema: JSONSchemaType<InitIR> = {
  type: "object",
  required: ["kind", "std"],
  additionalProperties: false,
  properties: { kind: { type: "string", enum: ["near_identity", "zeros"] }, std: { type: "number", minimum: 0 } },
};

/** The JSON Schema of an activation name. */
export const activationSchema = { type: "string", enum: [...ACTIVATIONS] } as const;

/** The weights of a bottleneck d -> m -> d. */
export function bottleneckWeights(d: number, m: number): KindWeight[] {
  return [
    { suffix: "down/kernel", shape: [d, m] },
    { suffix: "down/bias", shape: [m] },
    { suffix: "up/kernel", shape: [m, d] },
    { suffix: "up/bias", shape: [d] },
  ];
}
