/**
 * The one engine that matches selector patterns (globs and `/regex/` selectors alike): RE2's
 * linear-time automata (re2js, pure JavaScript, so the compiler stays browser-safe). Matching a path
 * costs time proportional to the path's length times the pattern's size, never exponential: a nested
 * quantifier against a long layer name cannot hang the CLI or the language server. What RE2 cannot do
 * in linear time (lookarounds, backreferences), repeat counts above 1000 and patterns longer than
 * {@link MAX_PATTERN_CHARS} are refused with a reason (ADAPT012 at the pattern).
 */
import { RE2JS } from "re2js";

/** The longest pattern (regex source or glob) that is compiled. */
export const MAX_PATTERN_CHARS = 1000;

/** A compiled pattern: `test` is true when the whole string matches. */
export interface Matcher {
  test(s: string): boolean;
}

/** A compiled pattern, or why it cannot be matched in linear time. */
export type Compiled =
  { readonly ok: true; readonly matcher: Matcher } | { readonly ok: false; readonly reason: string };

const FLAG_BITS: Readonly<Record<string, number>> = {
  i: RE2JS.CASE_INSENSITIVE,
  s: RE2JS.DOTALL,
  m: RE2JS.MULTILINE,
  u: 0,
  g: 0,
  y: 0,
  d: 0,
};

const cache = new Map<string, Compiled>();
const CACHE_LIMIT = 20000;

function reasonOf(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.replace(/^error parsing regexp: /, "");
}

/** Lookarounds and backreferences, named the way a user would look them up. */
function backtrackingFeature(source: string): string | null {
  if (/\(\?<?[=!]/.test(source)) return "a lookaround (`(?=`, `(?!`, `(?<=`, `(?<!`)";
  if (/\\[1-9]|\\k</.test(source)) return "a backreference";
  return null;
}

/**
 * Compiles an (unanchored) pattern source to a whole-string matcher in linear time, or gives the reason
 * it cannot be. `js` sources (regex selectors, with JavaScript flags) are translated from JavaScript's
 * syntax first (`\u0041`, `(?<name>`, `[^]`); glob sources are RE2 already. Cached.
 */
export function compileLinear(source: string, flags = "", js = true): Compiled {
  const key = `${js ? "j" : "g"}${flags}/${source}`;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const made = make(source, flags, js);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, made);
  return made;
}

/** Why a pattern as written (a regex source or a glob) is too long, or null. */
export function lengthProblem(text: string): string | null {
  return text.length > MAX_PATTERN_CHARS
    ? `it is ${text.length} characters long, more than the ${MAX_PATTERN_CHARS} a selector pattern may have`
    : null;
}

function make(source: string, flags: string, js: boolean): Compiled {
  const tooLong = js ? lengthProblem(source) : null;
  if (tooLong !== null) return { ok: false, reason: tooLong };
  const feature = js ? backtrackingFeature(source) : null;
  if (feature !== null) return { ok: false, reason: `it uses ${feature}, which needs backtracking` };
  let bits = 0;
  for (const f of flags) {
    if (!Object.hasOwn(FLAG_BITS, f)) return { ok: false, reason: `the flag \`${f}\` is not supported` };
    bits |= FLAG_BITS[f]!;
  }
  try {
    const re = RE2JS.compile(`^(?:${js ? RE2JS.translateRegExp(source) : source})$`, bits);
    return { ok: true, matcher: { test: (s: string) => re.matches(s) } };
  } catch (e) {
    return { ok: false, reason: reasonOf(e) };
  }
}
