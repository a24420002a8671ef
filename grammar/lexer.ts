/**
 * The lexer: chevrotain's tokenizer plus the layout rule of the language (newlines end statements,
 * except inside `( )` and `[ ]`), and the split of the token stream into statement chunks that the
 * parser reads one at a time so that each bad statement gets its own error.
 */
import { Lexer, type IToken, type ILexingError } from "chevrotain";
import {
  allTokens,
  KEYWORD_GROUPS,
  Colon,
  Newline,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LCurly,
  RCurly,
} from "./tokens.ts";

const lexer = new Lexer(allTokens, {
  positionTracking: "full",
  ensureOptimizations: false,
  lineTerminatorsPattern: /\n/g,
  lineTerminatorCharacters: ["\n"],
});

/** The result of lexing one spec. */
export interface LexResult {
  /** Significant tokens, with `Newline` only where it ends a statement (never twice in a row). */
  readonly tokens: IToken[];
  /** `# ...` comments in source order. */
  readonly comments: IToken[];
  /** Characters that start no token. */
  readonly errors: ILexingError[];
}

/** Tokenizes `text` and applies the layout rule. Never throws. */
export function lexSpec(text: string): LexResult {
  const raw = lexer.tokenize(text);
  const comments = (raw.groups["comments"] ?? []) as IToken[];
  return { tokens: applyLayout(raw.tokens), comments, errors: raw.errors };
}

function applyLayout(tokens: IToken[]): IToken[] {
  const out: IToken[] = [];
  let depth = 0;
  tokens.forEach((t, i) => {
    const type = t.tokenType;
    if (type === LParen || type === LBracket) depth++;
    else if ((type === RParen || type === RBracket) && depth > 0) depth--;
    if (type === Newline) {
      if (depth > 0 && startsStatement(tokens, i + 1)) depth = 0;
      const prev = out[out.length - 1];
      if (depth > 0 || prev === undefined || prev.tokenType === Newline) return;
    }
    out.push(t);
  });
  return out;
}

/**
 * True when the line after a newline inside brackets is clearly a new statement (a statement keyword
 * in column 1 that is not an argument key): the bracket was left open, and the statement ends here.
 */
function startsStatement(tokens: IToken[], i: number): boolean {
  const t = tokens[i];
  return (
    t !== undefined &&
    t.startColumn === 1 &&
    (KEYWORD_GROUPS.statement as readonly string[]).includes(t.image) &&
    tokens[i + 1]?.tokenType !== Colon
  );
}

/**
 * Splits significant tokens into statements: a chunk ends at a `Newline` outside `{ }`; a `plan { ... }`
 * block is one chunk with its inner newlines. Trailing newlines are not part of a chunk.
 */
export function splitStatements(tokens: readonly IToken[]): IToken[][] {
  const chunks: IToken[][] = [];
  let current: IToken[] = [];
  let curly = 0;
  for (const t of tokens) {
    if (t.tokenType === LCurly) curly++;
    else if (t.tokenType === RCurly && curly > 0) curly--;
    if (t.tokenType === Newline && curly === 0) {
      if (current.length > 0) chunks.push(current);
      current = [];
      continue;
    }
    current.push(t);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
