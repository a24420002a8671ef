/**
 * Stage 1, lex and parse: spec text to AST plus syntax diagnostics (`ADAPT0xx`). Each statement is
 * parsed on its own, so one bad statement never hides the next; a statement that does not parse
 * becomes an `Invalid` node. Never throws.
 */
import type { ILexingError, IToken, TokenType } from "chevrotain";
import { lexSpec, splitStatements } from "../../grammar/lexer.ts";
import { parseStatement, parser, withoutStackTraces } from "../../grammar/parser.ts";
import { toStatement, toVariantHeader, tokenSpan, joinSpans } from "../../grammar/visitor.ts";
import * as T from "../../grammar/tokens.ts";
import type { Span, Spec, Statement } from "../../grammar/ast.ts";
import { diag, type Diagnostic, type StageResult } from "../diagnostics/diagnostic.ts";
import { didYouMean } from "../diagnostics/suggest.ts";
import { compileLinear } from "../resolve/linear-regex.ts";

const STATEMENT_WORDS: readonly string[] = T.KEYWORD_GROUPS.statement;

/** How deeply `(`, `[` and `{` may nest in one statement (ADAPT010 beyond; the parser recurses per level). */
export const MAX_NESTING = 32;

/**
 * The longest statement prefix (in tokens) whose possible next tokens an ADAPT004 message lists; the
 * search is linear in the prefix but slow (about 12 µs a token), so a longer statement's error only says
 * what was found.
 */
export const MAX_EXPECTED_PREFIX = 2000;

/** How many ADAPT001 diagnostics one spec gets at most (the last one counts those left out). */
export const MAX_LEXING_ERRORS = 100;

/** Lexes and parses a whole spec. A leading byte order mark is read as a space (offsets stay exact). */
export function parseSpec(source: string): StageResult<Spec> {
  const text = source.charCodeAt(0) === 0xfeff ? ` ${source.slice(1)}` : source;
  const lexed = lexSpec(text);
  const diagnostics = lexingErrors(text, lexed.errors);
  const lexLines = new LineSet(lexed.errors.map((e) => e.line ?? 1));
  const statements = splitStatements(lexed.tokens).map((chunk) => parseChunk(chunk, lexLines, diagnostics));
  const end = endPosition(text);
  const comments = lexed.comments.map((c) => ({
    kind: "Comment" as const,
    text: c.image.replace(/\s+$/, ""),
    span: tokenSpan(c),
  }));
  const span = { start: { line: 1, column: 1, offset: 0 }, end };
  return { value: { kind: "Spec", statements, comments, span }, diagnostics };
}

/**
 * ADAPT001 for each run of characters that starts no token, up to {@link MAX_LEXING_ERRORS}; the last
 * one listed then counts the rest, so a file of stray characters cannot flood the editor.
 */
function lexingErrors(text: string, errors: readonly ILexingError[]): Diagnostic[] {
  const shown = errors.length > MAX_LEXING_ERRORS ? errors.slice(0, MAX_LEXING_ERRORS) : errors;
  return shown.map((e, i) => {
    const span = pointSpan(e.line ?? 1, e.column ?? 1, e.offset, e.length);
    const rest = i === MAX_LEXING_ERRORS - 1 ? errors.length - MAX_LEXING_ERRORS : 0;
    const more = rest > 0 ? `; ${rest} more places with unexpected characters follow, not listed` : "";
    return diag("ADAPT001", span, `unexpected character \`${text.slice(e.offset, e.offset + e.length)}\`${more}`);
  });
}

/** The lines that have lexing errors, sorted, for a chunk's "any lexing error inside" in log time. */
class LineSet {
  private readonly lines: number[];
  constructor(lines: readonly number[]) {
    this.lines = [...lines].sort((a, b) => a - b);
  }

  /** True when some line in `from..to` (inclusive) is in the set. */
  anyIn(from: number, to: number): boolean {
    let lo = 0;
    let hi = this.lines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.lines[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.lines.length && this.lines[lo]! <= to;
  }
}

/** One statement chunk to a statement (a variant block with its body), pushing its diagnostics. */
function parseChunk(chunk: IToken[], lexLines: LineSet, diagnostics: Diagnostic[]): Statement {
  if (chunk[0]?.tokenType === T.Keyword.variant) {
    const open = chunk.findIndex((t) => t.tokenType === T.LCurly);
    if (open >= 0) return parseVariant(chunk, open, lexLines, diagnostics);
  }
  const own = chunkDiagnostics(chunk, lexLines);
  if (own.skip) {
    diagnostics.push(...own.diagnostics);
    return invalid(chunk);
  }
  const parsed = parseStatement(chunk);
  if (parsed.errors.length > 0) {
    diagnostics.push(...syntaxErrors(chunk, parsed.errors));
    return invalid(chunk);
  }
  return toStatement(parsed.cst);
}

/**
 * `variant NAME [extends BASE] { ... }`: the head is parsed as a statement of its own, then each line of
 * the body like a top-level statement, so one bad line in a variant does not hide the others.
 */
function parseVariant(chunk: IToken[], open: number, lexLines: LineSet, diagnostics: Diagnostic[]): Statement {
  const header = chunk.slice(0, open + 1);
  const parsed = parseStatement(header);
  const headProblems = chunkDiagnostics(header, lexLines);
  if (headProblems.skip || parsed.errors.length > 0) {
    diagnostics.push(...(headProblems.skip ? headProblems.diagnostics : syntaxErrors(header, parsed.errors)));
    return invalid(chunk);
  }
  const head = toVariantHeader(parsed.cst);
  const last = chunk[chunk.length - 1]!;
  const closed = last.tokenType === T.RCurly && chunk.length > open + 1;
  if (!closed) {
    diagnostics.push(diag("ADAPT004", head.span, `the block of variant \`${head.name.text}\` has no closing \`}\``));
    return invalid(chunk);
  }
  const body = splitStatements(chunk.slice(open + 1, -1));
  const statements = body.map((c) => parseChunk(c, lexLines, diagnostics));
  return { kind: "Variant", name: head.name, base: head.base, statements, span: joinSpans(head.span, tokenSpan(last)) };
}

function pointSpan(line: number, column: number, offset: number, length: number): Span {
  return { start: { line, column, offset }, end: { line, column: column + length, offset: offset + length } };
}

function endPosition(text: string): Span["end"] {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: text.length - start + 1, offset: text.length };
}

function chunkSpan(chunk: readonly IToken[]): Span {
  return joinSpans(tokenSpan(chunk[0]!), tokenSpan(chunk[chunk.length - 1]!));
}

function invalid(chunk: readonly IToken[]): Statement {
  const declares = chunk[0]?.image === "adapter" && chunk[1]?.tokenType !== T.Equals ? (chunk[1]?.image ?? null) : null;
  return { kind: "Invalid", declares, span: chunkSpan(chunk) };
}

/** Problems that make parsing the chunk pointless: bad strings, lexing errors inside it, unknown heads. */
function chunkDiagnostics(chunk: readonly IToken[], lexLines: LineSet): { diagnostics: Diagnostic[]; skip: boolean } {
  const out: Diagnostic[] = [];
  const deep = tooDeep(chunk);
  if (deep !== null) return { diagnostics: [deep], skip: true };
  for (const t of chunk) {
    if (t.tokenType === T.NumberLiteral && /^\d+$/.test(t.image) && !Number.isSafeInteger(Number(t.image))) {
      const help = "integers above 2^53 - 1 = 9007199254740991 cannot be represented exactly";
      out.push(
        diag(
          "ADAPT011",
          tokenSpan(t),
          `the integer \`${t.image.length > 40 ? `${t.image.slice(0, 40)}…` : t.image}\` is too large to be exact`,
          { help },
        ),
      );
    } else if (t.tokenType === T.UnterminatedString) {
      out.push(diag("ADAPT002", tokenSpan(t), 'this string has no closing `"` before the end of the line'));
    } else if (t.tokenType === T.StringLiteral) {
      out.push(...badEscapes(t));
    } else if (t.tokenType === T.RegexLiteral) {
      out.push(...badRegex(t));
    }
  }
  const span = chunkSpan(chunk);
  const lexInside = lexLines.anyIn(span.start.line, span.end.line);
  if (out.length > 0 || lexInside) return { diagnostics: out, skip: true };
  const first = chunk[0]!;
  if (STATEMENT_WORDS.includes(first.image)) return { diagnostics: [], skip: false };
  if (first.tokenType === T.Identifier) {
    const help = didYouMean(first.image, STATEMENT_WORDS);
    return {
      diagnostics: [diag("ADAPT003", tokenSpan(first), `unknown statement \`${first.image}\``, { help })],
      skip: true,
    };
  }
  return {
    diagnostics: [diag("ADAPT004", tokenSpan(first), `expected a statement, found ${describe(first)}`)],
    skip: true,
  };
}

/** ADAPT010 at the first bracket that opens one level more than {@link MAX_NESTING}, or null. */
function tooDeep(chunk: readonly IToken[]): Diagnostic | null {
  let depth = 0;
  for (const t of chunk) {
    if (t.tokenType === T.LParen || t.tokenType === T.LBracket || t.tokenType === T.LCurly) {
      if (++depth > MAX_NESTING)
        return diag("ADAPT010", tokenSpan(t), `brackets nest more than ${MAX_NESTING} levels deep here`);
    } else if (t.tokenType === T.RParen || t.tokenType === T.RBracket || t.tokenType === T.RCurly)
      depth = Math.max(0, depth - 1);
  }
  return null;
}

function badEscapes(t: IToken): Diagnostic[] {
  if (!t.image.includes("\\")) return [];
  const out: Diagnostic[] = [];
  const re = /\\(.)/g;
  for (let m = re.exec(t.image); m !== null; m = re.exec(t.image)) {
    if (m[1] === '"' || m[1] === "\\") continue;
    const column = (t.startColumn ?? 1) + m.index;
    const span = pointSpan(t.startLine ?? 1, column, t.startOffset + m.index, 2);
    out.push(diag("ADAPT006", span, `\`\\${m[1]}\` is not an escape; only \`\\"\` and \`\\\\\` are`));
  }
  return out;
}

/** ADAPT005 for a regex JavaScript rejects; ADAPT012 for one the linear-time selector engine cannot run. */
function badRegex(t: IToken): Diagnostic[] {
  const problem = regexProblem(t.image);
  if (problem === null) return [];
  if (problem.code === "ADAPT005")
    return [diag("ADAPT005", tokenSpan(t), `invalid regular expression: ${problem.reason}`)];
  const help = "selectors are matched in linear time: no lookarounds or backreferences, at most 1000 characters";
  return [
    diag("ADAPT012", tokenSpan(t), `the regular expression cannot be matched in linear time: ${problem.reason}`, {
      help,
    }),
  ];
}

const regexProblems = new Map<string, { code: "ADAPT005" | "ADAPT012"; reason: string } | null>();

/** What is wrong with a `/regex/` token's text, cached by the text (a spec repeats its selectors). */
function regexProblem(image: string): { code: "ADAPT005" | "ADAPT012"; reason: string } | null {
  const known = regexProblems.get(image);
  if (known !== undefined) return known;
  const end = image.lastIndexOf("/");
  const [source, flags] = [image.slice(1, end), image.slice(end + 1)];
  let problem: { code: "ADAPT005" | "ADAPT012"; reason: string } | null = null;
  try {
    new RegExp(source, flags);
    const linear = compileLinear(source, flags);
    if (!linear.ok) problem = { code: "ADAPT012", reason: linear.reason };
  } catch (e) {
    const reason = (e instanceof Error ? e.message : String(e)).replace(/^Invalid regular expression: /, "");
    problem = { code: "ADAPT005", reason };
  }
  if (regexProblems.size >= 10000) regexProblems.clear();
  regexProblems.set(image, problem);
  return problem;
}

function syntaxErrors(chunk: IToken[], errors: readonly { token: IToken }[]): Diagnostic[] {
  const isPlan = chunk[0]?.tokenType === T.Keyword.plan;
  const seen = new Set<number>();
  const out: Diagnostic[] = [];
  for (const e of isPlan ? errors : errors.slice(0, 1)) {
    const index = chunk.indexOf(e.token);
    const at = index >= 0 ? index : chunk.length;
    if (seen.has(at)) continue;
    seen.add(at);
    out.push(syntaxError(chunk, at));
  }
  return out;
}

function syntaxError(chunk: IToken[], at: number): Diagnostic {
  const token = chunk[at];
  const last = chunk[chunk.length - 1]!;
  const span = token ? tokenSpan(token) : { start: tokenSpan(last).end, end: tokenSpan(last).end };
  const expected = at > MAX_EXPECTED_PREFIX ? [] : expectedAfter(chunk.slice(0, at));
  const found = token ? describe(token) : "the end of the line";
  const words = expected.filter((e) => /^`[a-z_]+`$/.test(e)).map((e) => e.slice(1, -1));
  const help =
    token && token.tokenType === T.Identifier && words.length > 0 ? didYouMean(token.image, words) : undefined;
  const message = expected.length > 0 ? `expected ${joinOr(expected)}, found ${found}` : `unexpected ${found}`;
  return diag("ADAPT004", span, message, { help });
}

function expectedAfter(preceding: IToken[]): string[] {
  try {
    const paths = withoutStackTraces(() => parser.computeContentAssist("statement", preceding));
    const types = new Set(paths.map((p) => p.nextTokenType));
    if (types.has(T.NumberLiteral)) types.delete(T.Minus);
    return [...new Set([...types].map(tokenText))].slice(0, 8);
  } catch {
    return [];
  }
}

const TOKEN_TEXT = new Map<TokenType, string>([
  [T.StringLiteral, "a string"],
  [T.RegexLiteral, "a /regex/"],
  [T.NumberLiteral, "a number"],
  [T.Identifier, "a name"],
  [T.Newline, "a new line"],
  [T.DotDot, "`..`"],
  [T.Minus, "`-`"],
]);

function joinOr(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

function tokenText(type: TokenType): string {
  const known = TOKEN_TEXT.get(type);
  if (known !== undefined) return known;
  const pattern = type.PATTERN;
  return `\`${pattern instanceof RegExp ? pattern.source.replace(/\\/g, "") : type.name}\``;
}

function describe(t: IToken): string {
  if (t.tokenType === T.Newline) return "the end of the line";
  if (t.tokenType === T.StringLiteral) return `the string ${t.image}`;
  if (t.tokenType === T.NumberLiteral) return `the number \`${t.image}\``;
  return `\`${t.image}\``;
}
