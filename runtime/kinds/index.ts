/**
 * The runtime kinds, one per compiler kind (a test checks that the two registries list the same
 * names), and the one place that pairs an operation with its kind's runtime.
 */
import type { AdapterKind, SurgeryOp } from "../../compiler/ir/types.ts";
import { seedFor } from "../layers/index.ts";
import { adapterLayerName } from "../surgery/names.ts";
import { bottleneck } from "./bottleneck.ts";
import { compacter } from "./compacter.ts";
import type { ConfigOf, Layer, RuntimeKind } from "./define.ts";
import { ia3 } from "./ia3.ts";
import { lora } from "./lora.ts";
import { parallel } from "./parallel.ts";
import { prefix } from "./prefix.ts";

/** Every runtime kind, by name. */
export const RUNTIME_KINDS: { readonly [K in AdapterKind]: RuntimeKind<K> } = {
  bottleneck,
  parallel,
  lora,
  ia3,
  compacter,
  prefix,
};

/** An operation's runtime kind with its config; the config's kind is the operation's (checked on load). */
export function runtimeOf(op: SurgeryOp): { kind: RuntimeKind<AdapterKind>; config: ConfigOf<AdapterKind> } {
  return { kind: RUNTIME_KINDS[op.kind] as RuntimeKind<AdapterKind>, config: op.config };
}

/** The adapter layer of `op`; `siteActivation` is the site Dense's own activation. */
export function adapterLayer(op: SurgeryOp, seed: number, siteActivation = "linear"): Layer {
  const { kind, config } = runtimeOf(op);
  return kind.layer(op, config, adapterLayerName(op), { seed: seedFor(seed, op.id), siteActivation });
}
