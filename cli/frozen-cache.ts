/**
 * The frozen-prefix cache's flags (`--frozen-cache on|off`, `--frozen-cache-memory SIZE`) of `adapt
 * run` and `adapt explain`, and explain's estimate of the cache's size from the training file's rows.
 * Loads no tfjs: the rows are counted with the data reader alone, imported when explain needs it.
 */
import { statSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import type { CompiledPlan } from "../compiler/ir/types.ts";
import { frozenCacheEstimate, frozenPrefix, type FrozenCacheEstimate } from "../compiler/lower/frozen-prefix.ts";
import { choice, type FlagSpec } from "./args.ts";
import { UsageError } from "./command.ts";

/** The flags, to spread into a command's flag spec. */
export const FROZEN_CACHE_FLAGS = {
  "frozen-cache": { type: "string" },
  "frozen-cache-memory": { type: "string" },
} as const satisfies FlagSpec;

/** The in-memory bound when `--frozen-cache-memory` is not given: 1 GiB. */
export const DEFAULT_MEMORY_BYTES = 1024 ** 3;

const UNITS: Readonly<Record<string, number>> = {
  "": 1,
  b: 1,
  k: 1024,
  kb: 1e3,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1e6,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1e9,
  gib: 1024 ** 3,
};

/** `512MiB`, `2GB`, `1.5g`, `0` as bytes; null when it is not a size. */
export function parseBytes(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  return m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : null;
}

/** The cache's settings from the flags: on unless `--frozen-cache off`; the memory bound (default 1 GiB). */
export function frozenCacheOptions(flags: Readonly<Record<string, string | boolean | undefined>>): {
  enabled: boolean;
  memoryBytes: number;
} {
  const enabled = choice(flags["frozen-cache"], ["on", "off"] as const, "on", "frozen-cache") === "on";
  const raw = flags["frozen-cache-memory"];
  if (raw === undefined) return { enabled, memoryBytes: DEFAULT_MEMORY_BYTES };
  const bytes = typeof raw === "string" ? parseBytes(raw) : null;
  if (bytes === null)
    throw new UsageError(`--frozen-cache-memory takes a size such as 512MiB or 2GiB, not \`${String(raw)}\``);
  return { enabled, memoryBytes: bytes };
}

/** Training files larger than this are not counted (explain stays quick; its line then gives no size). */
const COUNT_LIMIT = 256 * 1024 * 1024;

/** The rows of a data file of the plan (unreadable rows skipped), or null when it cannot be read or is too large. */
async function countRows(plan: CompiledPlan, specFile: string, path: string): Promise<number | null> {
  const data = plan.plan?.data;
  if (data === undefined) return null;
  const { formatOf, readRows } = await import("../runtime/data/rows.ts");
  const file = isAbsolute(path) ? path : resolve(dirname(specFile), path);
  const format = data.format ?? formatOf(file);
  if (format === null || statSync(file).size > COUNT_LIMIT) return null;
  let rows = 0;
  for await (const e of readRows(file, format)) {
    if ("error" in e && e.error.code === "ADAPT901") return null;
    if ("row" in e) rows += 1;
  }
  return rows;
}

/**
 * Explain's estimate of the cache for the plan's training file, and for its validation file when that is
 * what each epoch evaluates; null with no prefix, no plan or no readable training data.
 */
export async function explainEstimate(
  plan: CompiledPlan,
  specFile: string,
  memoryBytes: number | null,
): Promise<FrozenCacheEstimate | null> {
  const prefix = frozenPrefix(plan).prefix;
  const tp = plan.plan;
  if (prefix === null || tp === null) return null;
  const count = (path: string): Promise<number | null> => countRows(plan, specFile, path).catch(() => null);
  const rows = await count(tp.data.train);
  const evaluated = tp.data.validation !== null && tp.select?.split !== "train" ? tp.data.validation : null;
  const validation = evaluated === null ? null : await count(evaluated);
  return rows === null ? null : frozenCacheEstimate(prefix, rows, tp.maxLength, memoryBytes, validation);
}
