/**
 * Command-line flags: a thin layer over `node:util`'s parseArgs that turns its errors into
 * `UsageError`s (exit 2) with a suggestion for misspelt flags.
 */
import { parseArgs } from "node:util";
import { UsageError } from "./command.ts";
import { didYouMean } from "../compiler/diagnostics/suggest.ts";

/** The options a command accepts: name to kind, with optional short alias. */
export type FlagSpec = Record<string, { type: "string" | "boolean"; short?: string }>;

/** Parsed flags and positional arguments. */
export interface Parsed {
  readonly flags: Record<string, string | boolean | undefined>;
  readonly positionals: string[];
}

/** Parses `args` against `spec`, requiring exactly `count` positionals (their names for messages). */
export function parseFlags(args: readonly string[], spec: FlagSpec, names: readonly string[], optional = 0): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: [...args], options: spec, allowPositionals: true, strict: true });
    const min = names.length - optional;
    if (positionals.length < min) throw new UsageError(`missing ${names[positionals.length]}`);
    if (positionals.length > names.length) throw new UsageError(`unexpected argument \`${positionals[names.length]}\``);
    return { flags: values as Parsed["flags"], positionals };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    const flag = /'(--?[\w-]+)/.exec(message)?.[1];
    const hint = flag ? didYouMean(flag.replace(/^-+/, ""), Object.keys(spec)) : undefined;
    throw new UsageError(
      `${message.split(". To specify")[0]!.split("\n")[0]}${hint ? `; ${hint.replace("`", "`--")}` : ""}`,
    );
  }
}

/** A string flag restricted to some values. */
export function choice<T extends string>(
  value: string | boolean | undefined,
  allowed: readonly T[],
  fallback: T,
  name: string,
): T {
  if (value === undefined) return fallback;
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${name} takes ${allowed.join(" or ")}, not \`${String(value)}\``);
}
