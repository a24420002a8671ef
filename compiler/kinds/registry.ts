/**
 * The kind registry: every adapter kind of the language, in the order the reference lists them. Each
 * list that depends on the kinds (the checks' kind names, the argument tables, the IR's kind enum and
 * config schema, the editors' completion and grammars, the reference, accounting, surgery's weight
 * names) is derived from `KINDS`. Adding a kind: its file here, one line below, its runtime twin in
 * `runtime/kinds/`, its tests and docs (see `compiler/kinds/__tests__/registry.test.ts`).
 */
import type { CtorTable } from "../schema/args.ts";
import { bottleneck } from "./bottleneck.ts";
import { compacter } from "./compacter.ts";
import type { Kind } from "./define.ts";
import { ia3 } from "./ia3.ts";
import { lora } from "./lora.ts";
import { parallel } from "./parallel.ts";
import { prefix } from "./prefix.ts";

/** Every kind. */
export const KINDS = [bottleneck, parallel, lora, ia3, compacter, prefix] as const;

/** A kind's name. */
export type AdapterKind = (typeof KINDS)[number]["name"];

/** The IR config of any kind: a union discriminated by `kind`. */
export type KindConfig = ReturnType<(typeof KINDS)[number]["lower"]>;

/** Every kind, typed for generic callers (its methods take any kind's config). */
export type AnyKind = Kind<AdapterKind, KindConfig>;

const BY_NAME: ReadonlyMap<string, AnyKind> = new Map(KINDS.map((k) => [k.name, k as unknown as AnyKind]));

/** The kind named `name`, or undefined (own names only). */
export function kindNamed(name: string): AnyKind | undefined {
  return BY_NAME.get(name);
}

/** The kind of an IR config or an operation (the name was checked when it was compiled or loaded). */
export function kindOf(op: { readonly kind: AdapterKind }): AnyKind {
  return BY_NAME.get(op.kind)!;
}

/** Kind names. */
export const ADAPTER_KINDS: readonly AdapterKind[] = KINDS.map((k) => k.name);
/** Kinds that go with `insert` (module-level). */
export const MODULE_KINDS: readonly AdapterKind[] = KINDS.filter((k) => k.level === "module").map((k) => k.name);
/** Kinds that go with `apply` (weight-level). */
export const WEIGHT_KINDS: readonly AdapterKind[] = KINDS.filter((k) => k.level === "weight").map((k) => k.name);
/** Each kind's argument table. */
export const ADAPTER_ARGS: CtorTable = Object.fromEntries(KINDS.map((k) => [k.name, k.args]));
