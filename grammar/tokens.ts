/**
 * Token definitions of the `.adapt` language: the single source of its keywords, punctuation and
 * literals. The lexer, the parser, the formatter's suggestions and the generated editor grammars all
 * read this file; nothing else lists a keyword.
 */
import { createToken, Lexer, type IToken, type TokenType } from "chevrotain";

/** A piece of whitespace that is not a line break; skipped by the lexer. */
export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\f\v]+/, group: Lexer.SKIPPED });

/** `# ...` to the end of the line; kept in the `comments` group for `adapt fmt`. */
export const Comment = createToken({ name: "Comment", pattern: /#[^\n]*/, group: "comments" });

/** A line break: it ends a statement except inside `( )` and `[ ]` (see `lexSpec`). */
export const Newline = createToken({ name: "Newline", pattern: /\n/, line_breaks: true });

/** An identifier; every keyword is also one, since keywords are reserved only where they are used. */
export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/ });

/** The keyword table: statement heads, selector and size words, train targets, plan words. */
export const KEYWORD_GROUPS = {
  statement: [
    "model",
    "use",
    "adapter",
    "insert",
    "apply",
    "stack",
    "fuse",
    "size",
    "train",
    "freeze",
    "head",
    "plan",
    "variant",
  ],
  position: ["after", "before", "parallel", "to", "as"],
  selector: ["in", "layers", "where", "type", "expect"],
  target: ["all", "adapters"],
  sweep: ["extends", "for"],
} as const;

/** Every keyword, in the table's order. */
export const KEYWORDS = Object.values(KEYWORD_GROUPS).flat() as readonly KeywordText[];

/** The text of a keyword. */
export type KeywordText = (typeof KEYWORD_GROUPS)[keyof typeof KEYWORD_GROUPS][number];

function keyword(word: string): TokenType {
  const name = word[0]!.toUpperCase() + word.slice(1);
  return createToken({ name, pattern: new RegExp(word), longer_alt: Identifier, categories: [Identifier] });
}

/** Keyword tokens by their text. Each is in the `Identifier` category, so it is also a name. */
export const Keyword = Object.fromEntries(KEYWORDS.map((w) => [w, keyword(w)])) as Readonly<
  Record<KeywordText, TokenType>
>;

/** Head kinds: identifiers that the checks know, not keywords (adapter kinds are in compiler/kinds/registry.ts). */
export const HEAD_KINDS = ["classifier", "regression"] as const;

/** The selector keywords after which a `/` starts a regular expression rather than a division. */
export const REGEX_CONTEXT = ["after", "before", "parallel", "to", "train", "freeze"] as const;

function regexAllowed(tokens: IToken[]): boolean {
  const last = tokens[tokens.length - 1];
  return last !== undefined && (REGEX_CONTEXT as readonly string[]).includes(last.image);
}

const REGEX_BODY = /\/(?:[^/\\\n]|\\.)+\/[a-z]*/y;

/** A `/regular expression/`, recognised only where a selector is expected. */
export const RegexLiteral = createToken({
  name: "RegexLiteral",
  pattern: {
    exec: (text: string, offset: number, tokens: IToken[]) => {
      if (!regexAllowed(tokens)) return null;
      REGEX_BODY.lastIndex = offset;
      return REGEX_BODY.exec(text);
    },
  },
  line_breaks: false,
  start_chars_hint: ["/"],
});

/** A double-quoted string with `\"` and `\\` escapes; no line breaks inside. */
export const StringLiteral = createToken({ name: "StringLiteral", pattern: /"(?:[^"\\\n]|\\.)*"/ });

/** An unterminated string: lexed so that the error is precise and the rest of the line is not lost. */
export const UnterminatedString = createToken({ name: "UnterminatedString", pattern: /"(?:[^"\\\n]|\\.)*/ });

/** An integer or decimal with an optional exponent; `0..2` lexes as `0`, `..`, `2`. */
export const NumberLiteral = createToken({ name: "NumberLiteral", pattern: /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/ });

/** `..` in ranges. */
export const DotDot = createToken({ name: "DotDot", pattern: /\.\./ });
/** `.` in dotted names such as `validation.accuracy`. */
export const Dot = createToken({ name: "Dot", pattern: /\./ });
/** Punctuation. */
export const Equals = createToken({ name: "Equals", pattern: /=/ });
export const Colon = createToken({ name: "Colon", pattern: /:/ });
export const Comma = createToken({ name: "Comma", pattern: /,/ });
export const Slash = createToken({ name: "Slash", pattern: /\// });
export const Minus = createToken({ name: "Minus", pattern: /-/ });
export const LParen = createToken({ name: "LParen", pattern: /\(/ });
export const RParen = createToken({ name: "RParen", pattern: /\)/ });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/ });
export const RBracket = createToken({ name: "RBracket", pattern: /\]/ });
export const LCurly = createToken({ name: "LCurly", pattern: /\{/ });
export const RCurly = createToken({ name: "RCurly", pattern: /\}/ });
/** `|` between the alternatives of a sweep axis (`lr: 1e-4 | 3e-4`). */
export const Pipe = createToken({ name: "Pipe", pattern: /\|/ });

/** Punctuation tokens with their texts, for editor grammars. */
export const PUNCTUATION: readonly TokenType[] = [
  DotDot,
  Dot,
  Equals,
  Colon,
  Comma,
  Slash,
  Minus,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LCurly,
  RCurly,
  Pipe,
];

/** All tokens in the lexer's order of preference. */
export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  Newline,
  RegexLiteral,
  StringLiteral,
  UnterminatedString,
  NumberLiteral,
  ...[...KEYWORDS].sort((a, b) => b.length - a.length).map((w) => Keyword[w]),
  Identifier,
  ...PUNCTUATION,
];
