/**
 * Pieces shared by the editor-grammar generators: regular-expression helpers over the token
 * definitions, and the few facts about the language that the tokens do not state.
 */
import type { TokenType } from "chevrotain";
import { KEYWORD_GROUPS } from "../../grammar/tokens.ts";

/** Statements whose second word names an adapter (`adapter NAME =`, `insert NAME after`, ...). */
export const NAMED_STATEMENTS = ["adapter", "insert", "apply", "size"] as const;

for (const w of NAMED_STATEMENTS) {
  if (!(KEYWORD_GROUPS.statement as readonly string[]).includes(w))
    throw new Error(`\`${w}\` is no longer a statement keyword`);
}

/**
 * What follows the opening `/` of a selector's regular expression up to its closing `/` (no groups).
 * Mirrors the body that grammar/tokens.ts's `RegexLiteral` accepts.
 */
export const REGEX_REST_SOURCE = "(?:[^/\\\\\\n]|\\\\.)+/";

/** TextMate scope of each punctuation token, by token name; a token without one stops the generator. */
export const PUNCTUATION_SCOPES: Readonly<Record<string, string>> = {
  DotDot: "punctuation.separator.range.adapt",
  Dot: "punctuation.accessor.adapt",
  Equals: "keyword.operator.assignment.adapt",
  Colon: "punctuation.separator.key-value.adapt",
  Comma: "punctuation.separator.comma.adapt",
  Slash: "keyword.operator.arithmetic.adapt",
  Minus: "keyword.operator.arithmetic.adapt",
  LParen: "punctuation.section.parens.begin.adapt",
  RParen: "punctuation.section.parens.end.adapt",
  LBracket: "punctuation.section.brackets.begin.adapt",
  RBracket: "punctuation.section.brackets.end.adapt",
  LCurly: "punctuation.section.block.begin.adapt",
  RCurly: "punctuation.section.block.end.adapt",
};

/** The source of a token's regular expression; fails for tokens with custom matchers. */
export function patternSource(token: TokenType): string {
  const p = token.PATTERN;
  if (!(p instanceof RegExp)) throw new Error(`token ${token.name} has no regular expression`);
  return p.source;
}

/** `(?:a|b|c)` of literal words, longest first so that no word hides a longer one. */
export function alternation(words: readonly string[]): string {
  const sorted = [...words].sort((a, b) => b.length - a.length);
  return `(?:${sorted.map(escapeRegex).join("|")})`;
}

/** Escapes a literal for use inside a regular expression. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
