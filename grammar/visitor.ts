/**
 * The CST-to-AST visitor: turns the parser's concrete syntax trees into the nodes of `ast.ts`. It is
 * only run on statements that parsed without errors, so every child it reads is present.
 */
import type { CstNode, IToken, CstElement } from "chevrotain";
import { parser } from "./parser.ts";
import type * as A from "./ast.ts";

type Children = Record<string, CstElement[] | undefined>;

const BaseVisitor = parser.getBaseCstVisitorConstructor();

/** The 1-based span of a token (end exclusive). */
export function tokenSpan(t: IToken): A.Span {
  return {
    start: { line: t.startLine ?? 1, column: t.startColumn ?? 1, offset: t.startOffset },
    end: { line: t.endLine ?? 1, column: (t.endColumn ?? 0) + 1, offset: (t.endOffset ?? t.startOffset) + 1 },
  };
}

/** The span from the start of `a` to the end of `b`. */
export function joinSpans(a: A.Span, b: A.Span): A.Span {
  return { start: a.start, end: b.end };
}

function tok(c: Children, name: string, i = 0): IToken {
  return c[name]![i] as IToken;
}

function node(c: Children, name: string, i = 0): CstNode {
  return c[name]![i] as CstNode;
}

function has(c: Children, name: string): boolean {
  return (c[name]?.length ?? 0) > 0;
}

function ident(t: IToken): A.Ident {
  return { kind: "Ident", name: t.image, span: tokenSpan(t) };
}

/** Resolves the escapes of a string literal's image (quotes included). */
export function unquote(image: string): string {
  return image.slice(1, image.endsWith('"') && image.length > 1 ? -1 : undefined).replace(/\\(.)/g, "$1");
}

class AstBuilder extends BaseVisitor {
  constructor() {
    super();
    this.validateVisitor();
  }

  statement(c: Children): A.Statement {
    const [key] = Object.keys(c);
    return this.visit(node(c, key!));
  }

  modelStmt(c: Children): A.ModelStmt {
    const s = tok(c, "StringLiteral");
    return { kind: "Model", path: this.string(s), span: joinSpans(tokenSpan(tok(c, "Model")), tokenSpan(s)) };
  }

  useStmt(c: Children): A.UseStmt {
    const name = ident(tok(c, "name"));
    const path = this.string(tok(c, "StringLiteral"));
    return { kind: "Use", path, name, span: joinSpans(tokenSpan(tok(c, "Use")), name.span) };
  }

  stackStmt(c: Children): A.StackStmt {
    const members: A.Ident[] = this.visit(node(c, "nameList"));
    return { kind: "Stack", members, span: joinSpans(tokenSpan(tok(c, "Stack")), members[members.length - 1]!.span) };
  }

  fuseStmt(c: Children): A.FuseStmt {
    const members: A.Ident[] = this.visit(node(c, "nameList"));
    const name = ident(tok(c, "name"));
    return { kind: "Fuse", members, name, span: joinSpans(tokenSpan(tok(c, "Fuse")), name.span) };
  }

  nameList(c: Children): A.Ident[] {
    return (c["member"] ?? []).map((t) => ident(t as IToken));
  }

  adapterStmt(c: Children): A.AdapterDecl {
    const call: A.Call = this.visit(node(c, "call"));
    return {
      kind: "AdapterDecl",
      name: ident(tok(c, "name")),
      adapterKind: call.callee,
      args: call.args,
      span: joinSpans(tokenSpan(tok(c, "Adapter")), call.span),
    };
  }

  call(c: Children): A.Call {
    const callee = ident(tok(c, "callee"));
    const args: A.Arg[] = has(c, "argList") ? this.visit(node(c, "argList")) : [];
    return { kind: "Call", callee, args, span: joinSpans(callee.span, tokenSpan(tok(c, "RParen"))) };
  }

  argList(c: Children): A.Arg[] {
    return (c["arg"] ?? []).map((n) => this.visit(n as CstNode));
  }

  arg(c: Children): A.Arg {
    const key = ident(tok(c, "key"));
    const value: A.Value = this.visit(node(c, "alternatives"));
    return { kind: "Arg", key, value, span: joinSpans(key.span, value.span) };
  }

  alternatives(c: Children): A.Value {
    const options = (c["value"] ?? []).map((n) => this.visit(n as CstNode) as A.Value);
    if (options.length === 1) return options[0]!;
    return { kind: "Alternatives", options, span: joinSpans(options[0]!.span, options[options.length - 1]!.span) };
  }

  variantHeader(c: Children): VariantHeader {
    const name: A.VariantName = this.visit(node(c, "name"));
    const base: A.VariantName | null = has(c, "base") ? this.visit(node(c, "base")) : null;
    return { name, base, span: joinSpans(tokenSpan(tok(c, "Variant")), tokenSpan(tok(c, "LCurly"))) };
  }

  variantName(c: Children): A.VariantName {
    const parts = (c["Identifier"] ?? []).map((t) => t as IToken);
    const span = joinSpans(tokenSpan(parts[0]!), tokenSpan(parts[parts.length - 1]!));
    return { kind: "VariantName", text: parts.map((t) => t.image).join("."), span };
  }

  value(c: Children): A.Value {
    if (has(c, "StringLiteral")) return this.string(tok(c, "StringLiteral"));
    const [key] = Object.keys(c);
    return this.visit(node(c, key!));
  }

  numberValue(c: Children): A.NumberLit {
    const n = tok(c, "NumberLiteral");
    const minus = has(c, "Minus") ? tok(c, "Minus") : null;
    const text = (minus ? "-" : "") + n.image;
    const span = minus ? joinSpans(tokenSpan(minus), tokenSpan(n)) : tokenSpan(n);
    return { kind: "Number", value: Number(text), text, integer: /^-?\d+$/.test(text), span };
  }

  dottedName(c: Children): A.Name {
    const parts = (c["Identifier"] ?? []).map((t) => ident(t as IToken));
    return { kind: "Name", parts, span: joinSpans(parts[0]!.span, parts[parts.length - 1]!.span) };
  }

  list(c: Children): A.List {
    const items = (c["value"] ?? []).map((n) => this.visit(n as CstNode) as A.Value);
    return { kind: "List", items, span: joinSpans(tokenSpan(tok(c, "LBracket")), tokenSpan(tok(c, "RBracket"))) };
  }

  insertStmt(c: Children): A.InsertStmt {
    const position = tok(c, "position");
    const selector: A.Selector = this.visit(node(c, "selector"));
    return {
      kind: "Insert",
      adapter: ident(tok(c, "name")),
      position: position.image as A.InsertPosition,
      positionSpan: tokenSpan(position),
      selector,
      span: joinSpans(tokenSpan(tok(c, "Insert")), selector.span),
    };
  }

  applyStmt(c: Children): A.ApplyStmt {
    const selector: A.Selector = this.visit(node(c, "selector"));
    return {
      kind: "Apply",
      adapter: ident(tok(c, "name")),
      selector,
      span: joinSpans(tokenSpan(tok(c, "Apply")), selector.span),
    };
  }

  selector(c: Children): A.Selector {
    const p = tok(c, "pattern");
    const pattern: A.Selector["pattern"] = p.image.startsWith("/")
      ? { kind: "Regex", ...splitRegex(p.image), span: tokenSpan(p) }
      : { kind: "Glob", text: unquote(p.image), span: tokenSpan(p) };
    const layers: A.Range[] | null = has(c, "layersClause") ? this.visit(node(c, "layersClause")) : null;
    const layerType = has(c, "layerType") ? ident(tok(c, "layerType")) : null;
    const expect: A.NumberLit | null = has(c, "expected") ? this.visit(node(c, "expected")) : null;
    const last = expect?.span ?? layerType?.span ?? layers?.[layers.length - 1]?.span ?? pattern.span;
    return { kind: "Selector", pattern, layers, layerType, expect, span: joinSpans(pattern.span, last) };
  }

  layersClause(c: Children): A.Range[] {
    return (c["range"] ?? []).map((n) => this.visit(n as CstNode));
  }

  range(c: Children): A.Range {
    const from: A.NumberLit = this.visit(node(c, "from"));
    const to: A.NumberLit | null = has(c, "to") ? this.visit(node(c, "to")) : null;
    return { kind: "Range", from, to, span: joinSpans(from.span, (to ?? from).span) };
  }

  sizeStmt(c: Children): A.SizeStmt {
    const options = (c["sizeExpr"] ?? []).map((n) => this.visit(n as CstNode) as A.SingleSizeExpr);
    const expr: A.SizeExpr =
      options.length === 1
        ? options[0]!
        : { kind: "SizeAlternatives", options, span: joinSpans(options[0]!.span, options[options.length - 1]!.span) };
    const layers: A.Range[] | null = has(c, "layersClause") ? this.visit(node(c, "layersClause")) : null;
    const last = layers?.[layers.length - 1]?.span ?? expr.span;
    return {
      kind: "Size",
      adapter: ident(tok(c, "name")),
      expr,
      layers,
      span: joinSpans(tokenSpan(tok(c, "Size")), last),
    };
  }

  divValue(c: Children): A.DivExpr {
    const dividend = ident(tok(c, "dividend"));
    const divisor: A.NumberLit = this.visit(node(c, "divisor"));
    return { kind: "Div", dividend, divisor, span: joinSpans(dividend.span, divisor.span) };
  }

  sizeExpr(c: Children): A.SingleSizeExpr {
    if (has(c, "dividend")) {
      const dividend = ident(tok(c, "dividend"));
      const divisor: A.NumberLit = this.visit(node(c, "divisor"));
      return { kind: "Div", dividend, divisor, span: joinSpans(dividend.span, divisor.span) };
    }
    return this.visit(node(c, has(c, "list") ? "list" : "numberValue"));
  }

  ruleStmt(c: Children): A.RuleStmt {
    const action = tok(c, "action");
    const target: A.RuleStmt["target"] = has(c, "selector")
      ? this.visit(node(c, "selector"))
      : has(c, "named")
        ? { kind: "Named", name: ident(tok(c, "named")), span: tokenSpan(tok(c, "named")) }
        : { kind: "Group", group: tok(c, "target").image as A.GroupTarget["group"], span: tokenSpan(tok(c, "target")) };
    return {
      kind: "Rule",
      action: action.image as A.RuleStmt["action"],
      target,
      span: joinSpans(tokenSpan(action), target.span),
    };
  }

  headStmt(c: Children): A.HeadStmt {
    const call: A.Call = this.visit(node(c, "call"));
    return {
      kind: "Head",
      headKind: call.callee,
      args: call.args,
      span: joinSpans(tokenSpan(tok(c, "Head")), call.span),
    };
  }

  planBlock(c: Children): A.PlanBlock {
    const entries = (c["planEntry"] ?? []).map((n) => this.visit(n as CstNode) as A.PlanEntry);
    return { kind: "Plan", entries, span: joinSpans(tokenSpan(tok(c, "Plan")), tokenSpan(tok(c, "RCurly"))) };
  }

  planEntry(c: Children): A.PlanEntry {
    const key = ident(tok(c, "key"));
    let value: A.PlanValue;
    if (has(c, "argList")) {
      const args: A.Arg[] = this.visit(node(c, "argList"));
      value = { kind: "Pairs", args, span: joinSpans(args[0]!.span, args[args.length - 1]!.span) };
    } else {
      const groups = (c["words"] ?? []).map((n) => this.visit(n as CstNode) as A.Value[]);
      const last = groups[groups.length - 1]!;
      value = { kind: "Words", groups, span: joinSpans(groups[0]![0]!.span, last[last.length - 1]!.span) };
    }
    return { kind: "PlanEntry", key, value, span: joinSpans(key.span, value.span) };
  }

  words(c: Children): A.Value[] {
    return (c["alternatives"] ?? []).map((n) => this.visit(n as CstNode));
  }

  private string(t: IToken): A.StringLit {
    return { kind: "String", value: unquote(t.image), span: tokenSpan(t) };
  }
}

function splitRegex(image: string): { source: string; flags: string } {
  const end = image.lastIndexOf("/");
  return { source: image.slice(1, end), flags: image.slice(end + 1) };
}

/** The one visitor instance. */
export const astBuilder = new AstBuilder();

/** The head of a variant block as the visitor builds it; the block's body is parsed statement by statement. */
export interface VariantHeader {
  readonly name: A.VariantName;
  readonly base: A.VariantName | null;
  /** From `variant` to `{`. */
  readonly span: A.Span;
}

/** Builds the AST of one statement that parsed without errors. */
export function toStatement(cst: CstNode): A.Statement {
  return astBuilder.visit(cst) as A.Statement;
}

/** Builds the head of a variant block from a `statement` CST whose child is `variantHeader`. */
export function toVariantHeader(cst: CstNode): VariantHeader {
  return astBuilder.visit(cst) as VariantHeader;
}
