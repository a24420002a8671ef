/**
 * Plans written before each kind had its own `config` (operations with flat, nullable `activation`,
 * `init`, `scale`, `dropout` and `kernelShape` fields) upgraded to the current shape, so artifacts saved
 * by earlier versions still load. The flat fields are read back as the kind's arguments and lowered by
 * the kind itself, so no kind is listed here.
 */
import { kindNamed } from "../kinds/registry.ts";
import { defaultArgs, type ResolvedArgs } from "../schema/resolve-args.ts";

type Json = Record<string, unknown>;

const isObject = (x: unknown): x is Json => typeof x === "object" && x !== null && !Array.isArray(x);

/** The arguments an old flat operation records, as far as its kind takes them. */
function legacyArgs(op: Json, table: Readonly<Record<string, unknown>>, size: number): ResolvedArgs {
  const scale = typeof op["scale"] === "number" ? op["scale"] : 1;
  const known: ResolvedArgs = {};
  if (typeof op["activation"] === "string") known["activation"] = op["activation"];
  if (isObject(op["init"]) && typeof op["init"]["kind"] === "string" && typeof op["init"]["std"] === "number") {
    known["init"] = { kind: op["init"]["kind"], std: op["init"]["std"] };
  }
  known["scale"] = scale;
  known["alpha"] = scale * size;
  if (typeof op["dropout"] === "number") known["dropout"] = op["dropout"];
  return Object.fromEntries(Object.entries(known).filter(([k]) => Object.hasOwn(table, k)));
}

function upgradeOp(op: unknown): unknown {
  if (!isObject(op) || "config" in op || typeof op["kind"] !== "string") return op;
  const kind = kindNamed(op["kind"]);
  if (kind === undefined || typeof op["d"] !== "number") return op;
  const size = typeof op["size"] === "number" ? op["size"] : 0;
  const k = op["kernelShape"];
  const kernelShape =
    Array.isArray(k) && k.length === 2 && k.every((n) => typeof n === "number")
      ? ([k[0], k[1]] as [number, number])
      : null;
  const config = kind.lower(
    { ...defaultArgs(kind.args), ...legacyArgs(op, kind.args, size) },
    { d: op["d"], kernelShape },
    size,
  );
  const { activation: _a, init: _i, scale: _s, dropout: _d, kernelShape: _k, ...common } = op;
  return { ...common, config };
}

/** `plan` with every old-style operation upgraded; anything else is returned as it is (validation follows). */
export function upgradePlan(plan: unknown): unknown {
  if (!isObject(plan) || !Array.isArray(plan["operations"])) return plan;
  return { ...plan, operations: plan["operations"].map(upgradeOp) };
}
