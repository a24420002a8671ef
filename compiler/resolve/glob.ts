/**
 * Globs over dotted layer paths, compiled once each for the linear-time engine (linear-regex.ts): `*` is
 * any text within one segment, `**` any number of whole segments (zero included), `?` one character,
 * `{a,b}` alternatives. Also the literal prefix of a glob, which lets matching skip paths that cannot
 * match.
 */
import { compileLinear, lengthProblem, type Compiled } from "./linear-regex.ts";

/** True when the glob has no wildcard, so it names exactly one path. */
export function isLiteralGlob(glob: string): boolean {
  return !/[*?{]/.test(glob);
}

/** The text before the first wildcard: every matching path starts with it. */
export function literalPrefix(glob: string): string {
  const i = glob.search(/[*?{]/);
  return i < 0 ? glob : glob.slice(0, i);
}

const compiled = new Map<string, Compiled>();
const CACHE_LIMIT = 20000;

/**
 * The whole-path matcher of a glob (linear time), or why it cannot be compiled (its length). Cached by
 * the glob's text: the language server matches every selector of a spec on every keystroke.
 */
export function compileGlob(glob: string): Compiled {
  const known = compiled.get(glob);
  if (known !== undefined) return known;
  const tooLong = lengthProblem(glob);
  const made: Compiled = tooLong !== null ? { ok: false, reason: tooLong } : compileLinear(globSource(glob), "", false);
  if (compiled.size >= CACHE_LIMIT) compiled.clear();
  compiled.set(glob, made);
  return made;
}

function escapeChar(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

function bracesBalanced(glob: string): boolean {
  let depth = 0;
  for (const c of glob) {
    if (c === "{") depth++;
    else if (c === "}" && --depth < 0) return false;
  }
  return depth === 0;
}

/** The RegExp source (without anchors) of a glob. */
export function globSource(glob: string): string {
  const braces = bracesBalanced(glob);
  let out = "";
  let depth = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      const segStart = i === 0 || glob[i - 1] === ".";
      const next = glob[i + 2];
      if (segStart && depth === 0 && next === ".") {
        out += "(?:[^.]+\\.)*";
        i += 2;
      } else if (segStart && depth === 0 && next === undefined) {
        out = i === 0 ? ".*" : `${out.slice(0, -2)}(?:\\.[^.]+)*`;
        i += 1;
      } else {
        out += "[^.]*";
        i += 1;
      }
    } else if (c === "*") out += "[^./]*";
    else if (c === "?") out += "[^./]";
    else if (c === "{" && braces) {
      out += "(?:";
      depth++;
    } else if (c === "}" && braces) {
      out += ")";
      depth--;
    } else if (c === "," && depth > 0) out += "|";
    else out += escapeChar(c);
  }
  return out;
}
