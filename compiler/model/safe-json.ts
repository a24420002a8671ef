/**
 * Safe reading of untrusted JSON (a model file): bounded size and depth, and no keys that could
 * pollute prototypes (`__proto__`, `constructor`, `prototype`). Nothing here assigns by an untrusted key.
 */

/** Keys refused anywhere in an untrusted document. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** Limits on an untrusted document. */
export interface JsonLimits {
  readonly maxChars: number;
  readonly maxDepth: number;
}

/** Default limits: 256 MiB of text (topologies of the largest encoders stay far below), depth 64. */
export const DEFAULT_LIMITS: JsonLimits = { maxChars: 256 * 1024 * 1024, maxDepth: 64 };

/** A parsed document, or the reason it was refused. */
export type SafeJson = { ok: true; value: unknown } | { ok: false; reason: string };

/** Parses `text` and checks it with `checkTree`. */
export function parseSafeJson(text: string, limits: JsonLimits = DEFAULT_LIMITS): SafeJson {
  if (text.length > limits.maxChars) return { ok: false, reason: `it is larger than ${limits.maxChars} characters` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { ok: false, reason: `it is not valid JSON (${why.replace(/\.$/, "")})` };
  }
  return checkTree(value, limits);
}

/** Checks an already parsed document for forbidden keys and excessive nesting, without recursion. */
export function checkTree(value: unknown, limits: JsonLimits = DEFAULT_LIMITS): SafeJson {
  const stack: { v: unknown; depth: number; at: string }[] = [{ v: value, depth: 0, at: "" }];
  while (stack.length > 0) {
    const { v, depth, at } = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth > limits.maxDepth) return { ok: false, reason: `it is nested deeper than ${limits.maxDepth} levels` };
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push({ v: v[i], depth: depth + 1, at });
      continue;
    }
    for (const key of Object.keys(v)) {
      if (FORBIDDEN_KEYS.has(key))
        return { ok: false, reason: `it contains the forbidden key \`${key}\`${at ? ` under \`${at}\`` : ""}` };
      stack.push({ v: (v as Record<string, unknown>)[key], depth: depth + 1, at: key });
    }
  }
  return { ok: true, value };
}

/** A JSON value as a message quotes it: a string as it is, anything else as JSON (never throws). */
export function jsonText(x: unknown): string {
  if (typeof x === "string") return x;
  try {
    return JSON.stringify(x) ?? typeof x;
  } catch {
    return typeof x;
  }
}
