/**
 * The `.adapt` parser: a chevrotain `CstParser` with its rules as class properties and no semantic
 * actions. One instance is created and reused for every statement of every spec; error recovery is on.
 * The alternatives of each `OR` (and the options objects with closures) are built once, as fields, not on
 * every call of their rule: the language server parses every statement on every keystroke, and under a
 * loader that keeps function names (tsx) each closure in an object literal also costs a property write.
 */
import { CstParser, type CstNode, type IOrAlt, type IToken, type IRecognitionException } from "chevrotain";
import * as T from "./tokens.ts";

const K = T.Keyword;

/** The options of each labelled `CONSUME`/`SUBRULE`, made once rather than on every call. */
const L = {
  action: { LABEL: "action" },
  base: { LABEL: "base" },
  callee: { LABEL: "callee" },
  dividend: { LABEL: "dividend" },
  divisor: { LABEL: "divisor" },
  expected: { LABEL: "expected" },
  from: { LABEL: "from" },
  key: { LABEL: "key" },
  member: { LABEL: "member" },
  layerType: { LABEL: "layerType" },
  name: { LABEL: "name" },
  named: { LABEL: "named" },
  pattern: { LABEL: "pattern" },
  position: { LABEL: "position" },
  target: { LABEL: "target" },
  to: { LABEL: "to" },
} as const;

class AdaptParser extends CstParser {
  constructor() {
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 3 });
    this.performSelfAnalysis();
  }

  private readonly statementKinds: IOrAlt<unknown>[] = [
    { ALT: () => this.SUBRULE(this.modelStmt) },
    { ALT: () => this.SUBRULE(this.useStmt) },
    { ALT: () => this.SUBRULE(this.stackStmt) },
    { ALT: () => this.SUBRULE(this.fuseStmt) },
    { ALT: () => this.SUBRULE(this.adapterStmt) },
    { ALT: () => this.SUBRULE(this.insertStmt) },
    { ALT: () => this.SUBRULE(this.applyStmt) },
    { ALT: () => this.SUBRULE(this.sizeStmt) },
    { ALT: () => this.SUBRULE(this.ruleStmt) },
    { ALT: () => this.SUBRULE(this.headStmt) },
    { ALT: () => this.SUBRULE(this.planBlock) },
    { ALT: () => this.SUBRULE(this.variantHeader) },
  ];

  /** One statement: the parser is fed one chunk (see `splitStatements`) at a time. */
  public statement = this.RULE("statement", () => {
    this.OR(this.statementKinds);
  });

  /**
   * `variant NAME [extends NAME] {`: the head of a variant block. The block's statements are parsed one
   * at a time like top-level ones (see `compiler/frontend/parse.ts`), up to its closing `}`.
   */
  private variantHeader = this.RULE("variantHeader", () => {
    this.CONSUME(K.variant);
    this.SUBRULE(this.variantName, L.name);
    this.OPTION(() => {
      this.CONSUME(K.extends);
      this.SUBRULE2(this.variantName, L.base);
    });
    this.CONSUME(T.LCurly);
  });

  private variantName = this.RULE("variantName", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.Dot);
      this.CONSUME2(T.Identifier);
    });
  });

  private modelStmt = this.RULE("modelStmt", () => {
    this.CONSUME(K.model);
    this.CONSUME(T.StringLiteral);
  });

  private useStmt = this.RULE("useStmt", () => {
    this.CONSUME(K.use);
    this.CONSUME(T.StringLiteral);
    this.CONSUME(K.as);
    this.CONSUME(T.Identifier, L.name);
  });

  private stackStmt = this.RULE("stackStmt", () => {
    this.CONSUME(K.stack);
    this.SUBRULE(this.nameList);
  });

  private fuseStmt = this.RULE("fuseStmt", () => {
    this.CONSUME(K.fuse);
    this.SUBRULE(this.nameList);
    this.CONSUME(K.as);
    this.CONSUME(T.Identifier, L.name);
  });

  /** `A, B, ...`: the members of a stack or a fusion. */
  private nameList = this.RULE("nameList", () => {
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.Identifier, L.member) });
  });

  private adapterStmt = this.RULE("adapterStmt", () => {
    this.CONSUME(K.adapter);
    this.CONSUME(T.Identifier, L.name);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.call);
  });

  private call = this.RULE("call", () => {
    this.CONSUME(T.Identifier, L.callee);
    this.CONSUME(T.LParen);
    this.OPTION(() => this.SUBRULE(this.argList));
    this.CONSUME(T.RParen);
  });

  /** `, key: value` after the first pair (a comma before anything else is the trailing one). */
  private readonly moreArgs = {
    GATE: () =>
      this.LA(2).tokenType === T.Identifier || this.LA(2).tokenType.CATEGORIES?.includes(T.Identifier) === true,
    DEF: () => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.arg);
    },
  };

  /** `key: value` pairs separated by commas, with at most one trailing comma (`,,` is an error). */
  private argList = this.RULE("argList", () => {
    this.SUBRULE(this.arg);
    this.MANY(this.moreArgs);
    this.OPTION(() => this.CONSUME2(T.Comma));
  });

  private arg = this.RULE("arg", () => {
    this.CONSUME(T.Identifier, L.key);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.alternatives);
  });

  /** A value, or the alternatives of a sweep axis: `value | value | ...`. */
  private alternatives = this.RULE("alternatives", () => {
    this.SUBRULE(this.value);
    this.MANY(() => {
      this.CONSUME(T.Pipe);
      this.SUBRULE2(this.value);
    });
  });

  private readonly valueKinds: IOrAlt<unknown>[] = [
    { ALT: () => this.SUBRULE(this.numberValue) },
    { ALT: () => this.CONSUME(T.StringLiteral) },
    { ALT: () => this.SUBRULE(this.list) },
    { GATE: () => this.LA(2).tokenType === T.LParen, ALT: () => this.SUBRULE(this.call) },
    { GATE: () => this.LA(2).tokenType === T.Slash, ALT: () => this.SUBRULE(this.divValue) },
    { ALT: () => this.SUBRULE(this.dottedName) },
  ];

  private value = this.RULE("value", () => {
    this.OR(this.valueKinds);
  });

  /** `d / k` as an argument value (a reduction factor: `bottleneck(size: d / 16)`). */
  private divValue = this.RULE("divValue", () => {
    this.CONSUME(T.Identifier, L.dividend);
    this.CONSUME(T.Slash);
    this.SUBRULE(this.numberValue, L.divisor);
  });

  private numberValue = this.RULE("numberValue", () => {
    this.OPTION(() => this.CONSUME(T.Minus));
    this.CONSUME(T.NumberLiteral);
  });

  private dottedName = this.RULE("dottedName", () => {
    this.CONSUME(T.Identifier);
    this.MANY(() => {
      this.CONSUME(T.Dot);
      this.CONSUME2(T.Identifier);
    });
  });

  private readonly listItems = { SEP: T.Comma, DEF: () => this.SUBRULE(this.value) };

  private list = this.RULE("list", () => {
    this.CONSUME(T.LBracket);
    this.MANY_SEP(this.listItems);
    this.CONSUME(T.RBracket);
  });

  private readonly positions: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(K.after, L.position) },
    { ALT: () => this.CONSUME(K.before, L.position) },
    { ALT: () => this.CONSUME(K.parallel, L.position) },
  ];

  private insertStmt = this.RULE("insertStmt", () => {
    this.CONSUME(K.insert);
    this.CONSUME(T.Identifier, L.name);
    this.OR(this.positions);
    this.SUBRULE(this.selector);
  });

  private applyStmt = this.RULE("applyStmt", () => {
    this.CONSUME(K.apply);
    this.CONSUME(T.Identifier, L.name);
    this.CONSUME(K.to);
    this.SUBRULE(this.selector);
  });

  private readonly patterns: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.StringLiteral, L.pattern) },
    { ALT: () => this.CONSUME(T.RegexLiteral, L.pattern) },
  ];

  private selector = this.RULE("selector", () => {
    this.OR(this.patterns);
    this.OPTION(() => this.SUBRULE(this.layersClause));
    this.OPTION2(() => {
      this.CONSUME(K.where);
      this.CONSUME(K.type);
      this.CONSUME(T.Equals);
      this.CONSUME(T.Identifier, L.layerType);
    });
    this.OPTION3(() => {
      this.CONSUME(K.expect);
      this.SUBRULE(this.numberValue, L.expected);
    });
  });

  private readonly ranges = { SEP: T.Comma, DEF: () => this.SUBRULE(this.range) };

  private layersClause = this.RULE("layersClause", () => {
    this.CONSUME(K.in);
    this.CONSUME(K.layers);
    this.AT_LEAST_ONE_SEP(this.ranges);
  });

  private range = this.RULE("range", () => {
    this.SUBRULE(this.numberValue, L.from);
    this.OPTION(() => {
      this.CONSUME(T.DotDot);
      this.SUBRULE2(this.numberValue, L.to);
    });
  });

  private sizeStmt = this.RULE("sizeStmt", () => {
    this.CONSUME(K.size);
    this.CONSUME(T.Identifier, L.name);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.sizeExpr);
    this.MANY(() => {
      this.CONSUME(T.Pipe);
      this.SUBRULE2(this.sizeExpr);
    });
    this.OPTION(() => this.SUBRULE(this.layersClause));
  });

  private readonly sizeKinds: IOrAlt<unknown>[] = [
    { ALT: () => this.SUBRULE(this.numberValue) },
    { ALT: () => this.SUBRULE(this.list) },
    {
      ALT: () => {
        this.CONSUME(T.Identifier, L.dividend);
        this.CONSUME(T.Slash);
        this.SUBRULE2(this.numberValue, L.divisor);
      },
    },
  ];

  private sizeExpr = this.RULE("sizeExpr", () => {
    this.OR(this.sizeKinds);
  });

  private readonly actions: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(K.train, L.action) },
    { ALT: () => this.CONSUME(K.freeze, L.action) },
  ];

  private readonly targets: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(K.all, L.target) },
    { ALT: () => this.CONSUME(K.adapters, L.target) },
    { ALT: () => this.CONSUME(K.head, L.target) },
    { ALT: () => this.SUBRULE(this.selector) },
    { ALT: () => this.CONSUME(T.Identifier, L.named) },
  ];

  /** The targets of `train`/`freeze`, a bare name (a `use` or a fusion) last; their order decides, unchecked. */
  private readonly targetChoice = { IGNORE_AMBIGUITIES: true, DEF: this.targets };

  private ruleStmt = this.RULE("ruleStmt", () => {
    this.OR(this.actions);
    this.OR2(this.targetChoice);
  });

  private headStmt = this.RULE("headStmt", () => {
    this.CONSUME(K.head);
    this.SUBRULE(this.call);
  });

  private planBlock = this.RULE("planBlock", () => {
    this.CONSUME(K.plan);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.CONSUME(T.Newline));
    this.MANY2(() => {
      this.SUBRULE(this.planEntry);
      this.AT_LEAST_ONE(() => this.CONSUME2(T.Newline));
    });
    this.CONSUME(T.RCurly);
  });

  private readonly wordGroups = { SEP: T.Comma, DEF: () => this.SUBRULE(this.words) };

  private readonly entryValues: IOrAlt<unknown>[] = [
    { GATE: () => this.LA(2).tokenType === T.Colon, ALT: () => this.SUBRULE(this.argList) },
    { ALT: () => this.AT_LEAST_ONE_SEP(this.wordGroups) },
  ];

  private planEntry = this.RULE("planEntry", () => {
    this.CONSUME(T.Identifier, L.key);
    this.OR(this.entryValues);
  });

  private words = this.RULE("words", () => {
    this.AT_LEAST_ONE(() => this.SUBRULE(this.alternatives));
  });
}

/** The one parser instance, reused for every parse. */
export const parser = new AdaptParser();

/** The result of parsing one statement chunk. */
export interface StatementParse {
  readonly cst: CstNode;
  readonly errors: IRecognitionException[];
}

/** Parses one statement chunk with the shared parser. Never throws. */
export function parseStatement(tokens: IToken[]): StatementParse {
  return withoutStackTraces(() => {
    parser.input = tokens;
    const cst = parser.statement();
    return { cst, errors: [...parser.errors] };
  });
}

/**
 * Runs `f` with stack traces off: the parser signals each syntax error and each recovery with an
 * exception whose stack it never reads, and capturing those stacks cost most of the time of a spec
 * with many bad statements.
 */
export function withoutStackTraces<T>(f: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return f();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
