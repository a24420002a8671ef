/**
 * The abstract syntax tree of a `.adapt` spec. Every node has a `readonly kind` discriminant and a
 * source span; lines and columns are 1-based, offsets 0-based, and `end` points one past the last
 * character (exclusive).
 */

/** A point in the source. */
export interface Position {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

/** A source range; `end` is exclusive. */
export interface Span {
  readonly start: Position;
  readonly end: Position;
}

/** A name as written: an identifier or keyword in name position. */
export interface Ident {
  readonly kind: "Ident";
  readonly name: string;
  readonly span: Span;
}

/** A number literal; `integer` is true when it is written without a fraction or exponent. */
export interface NumberLit {
  readonly kind: "Number";
  readonly value: number;
  readonly text: string;
  readonly integer: boolean;
  readonly span: Span;
}

/** A string literal with its escapes resolved. */
export interface StringLit {
  readonly kind: "String";
  readonly value: string;
  readonly span: Span;
}

/** A dotted name such as `validation.accuracy`; a bare identifier value is a `Name` with one part. */
export interface Name {
  readonly kind: "Name";
  readonly parts: readonly Ident[];
  readonly span: Span;
}

/** `callee(key: value, ...)`: adapter, head, optimizer and init constructors. */
export interface Call {
  readonly kind: "Call";
  readonly callee: Ident;
  readonly args: readonly Arg[];
  readonly span: Span;
}

/** `[v, v, ...]`. */
export interface List {
  readonly kind: "List";
  readonly items: readonly Value[];
  readonly span: Span;
}

/**
 * `v | v | ...`: the alternatives of one sweep axis, in an argument or a plan entry (never nested, never
 * inside a list). A spec with alternatives describes a grid of runs (see `compiler/sweep/`).
 */
export interface Alternatives {
  readonly kind: "Alternatives";
  readonly options: readonly Value[];
  readonly span: Span;
}

/** Any argument value. */
export type Value = NumberLit | StringLit | Name | Call | List | Alternatives | DivExpr;

/** `key: value`. */
export interface Arg {
  readonly kind: "Arg";
  readonly key: Ident;
  readonly value: Value;
  readonly span: Span;
}

/** `a` or `a..b` (inclusive) in `in layers`. */
export interface Range {
  readonly kind: "Range";
  readonly from: NumberLit;
  readonly to: NumberLit | null;
  readonly span: Span;
}

/** A quoted glob pattern over dotted layer paths. */
export interface GlobPattern {
  readonly kind: "Glob";
  readonly text: string;
  readonly span: Span;
}

/** A `/regular expression/` matched against whole paths. */
export interface RegexPattern {
  readonly kind: "Regex";
  readonly source: string;
  readonly flags: string;
  readonly span: Span;
}

/** A selector with its optional `in layers`, `where type =` and `expect` clauses. */
export interface Selector {
  readonly kind: "Selector";
  readonly pattern: GlobPattern | RegexPattern;
  readonly layers: readonly Range[] | null;
  readonly layerType: Ident | null;
  readonly expect: NumberLit | null;
  readonly span: Span;
}

/** `model "path"`. */
export interface ModelStmt {
  readonly kind: "Model";
  readonly path: StringLit;
  readonly span: Span;
}

/** `use "PATH" as NAME`: the trained adapters of an artifact folder, placed at their own sites. */
export interface UseStmt {
  readonly kind: "Use";
  readonly path: StringLit;
  readonly name: Ident;
  readonly span: Span;
}

/** `stack A, B, ...`: at every site of its members, the members applied in this order. */
export interface StackStmt {
  readonly kind: "Stack";
  readonly members: readonly Ident[];
  readonly span: Span;
}

/** `fuse A, B, ... as NAME`: AdapterFusion over the members' outputs at each of their sites. */
export interface FuseStmt {
  readonly kind: "Fuse";
  readonly members: readonly Ident[];
  readonly name: Ident;
  readonly span: Span;
}

/** `adapter NAME = KIND(ARGS)`. */
export interface AdapterDecl {
  readonly kind: "AdapterDecl";
  readonly name: Ident;
  readonly adapterKind: Ident;
  readonly args: readonly Arg[];
  readonly span: Span;
}

/** Where an `insert` places its module. */
export type InsertPosition = "after" | "before" | "parallel";

/** `insert NAME after|before|parallel SELECTOR`. */
export interface InsertStmt {
  readonly kind: "Insert";
  readonly adapter: Ident;
  readonly position: InsertPosition;
  readonly positionSpan: Span;
  readonly selector: Selector;
  readonly span: Span;
}

/** `apply NAME to SELECTOR`. */
export interface ApplyStmt {
  readonly kind: "Apply";
  readonly adapter: Ident;
  readonly selector: Selector;
  readonly span: Span;
}

/** `d / k`: the site's feature size divided by an integer. */
export interface DivExpr {
  readonly kind: "Div";
  readonly dividend: Ident;
  readonly divisor: NumberLit;
  readonly span: Span;
}

/** One size as written: an integer, `d / k` or a per-layer list. */
export type SingleSizeExpr = NumberLit | DivExpr | List;

/** `8 | d / 16 | [4, 8]`: the alternatives of a `size` axis. */
export interface SizeAlternatives {
  readonly kind: "SizeAlternatives";
  readonly options: readonly SingleSizeExpr[];
  readonly span: Span;
}

/** The right-hand side of `size`. */
export type SizeExpr = SingleSizeExpr | SizeAlternatives;

/** `size NAME = EXPR [in layers RANGES]`. */
export interface SizeStmt {
  readonly kind: "Size";
  readonly adapter: Ident;
  readonly expr: SizeExpr;
  readonly layers: readonly Range[] | null;
  readonly span: Span;
}

/** `all`, `adapters` or `head` as the target of a trainability rule. */
export interface GroupTarget {
  readonly kind: "Group";
  readonly group: "all" | "adapters" | "head";
  readonly span: Span;
}

/** An adapter, loaded adapter or fusion by its name, as the target of a trainability rule. */
export interface NamedTarget {
  readonly kind: "Named";
  readonly name: Ident;
  readonly span: Span;
}

/** `train TARGET` or `freeze TARGET`. */
export interface RuleStmt {
  readonly kind: "Rule";
  readonly action: "train" | "freeze";
  readonly target: Selector | GroupTarget | NamedTarget;
  readonly span: Span;
}

/** `head KIND(ARGS)`. */
export interface HeadStmt {
  readonly kind: "Head";
  readonly headKind: Ident;
  readonly args: readonly Arg[];
  readonly span: Span;
}

/** A plan entry's value: `key: value, ...` pairs or comma-separated groups of words. */
export type PlanValue =
  | { readonly kind: "Pairs"; readonly args: readonly Arg[]; readonly span: Span }
  | { readonly kind: "Words"; readonly groups: readonly (readonly Value[])[]; readonly span: Span };

/** One `key value` line of a plan. */
export interface PlanEntry {
  readonly kind: "PlanEntry";
  readonly key: Ident;
  readonly value: PlanValue;
  readonly span: Span;
}

/** `plan { ... }`. */
export interface PlanBlock {
  readonly kind: "Plan";
  readonly entries: readonly PlanEntry[];
  readonly span: Span;
}

/** A variant's name: an identifier or `SERIES.MEMBER`. */
export interface VariantName {
  readonly kind: "VariantName";
  readonly text: string;
  readonly span: Span;
}

/** `variant NAME [extends BASE] { statements }`: statements that apply only to this variant's runs. */
export interface VariantBlock {
  readonly kind: "Variant";
  readonly name: VariantName;
  readonly base: VariantName | null;
  readonly statements: readonly Statement[];
  readonly span: Span;
}

/** A statement that did not parse; kept so later checks know which names it tried to declare. */
export interface InvalidStmt {
  readonly kind: "Invalid";
  readonly declares: string | null;
  readonly span: Span;
}

/** Any statement. */
export type Statement =
  | ModelStmt
  | UseStmt
  | StackStmt
  | FuseStmt
  | AdapterDecl
  | InsertStmt
  | ApplyStmt
  | SizeStmt
  | RuleStmt
  | HeadStmt
  | PlanBlock
  | VariantBlock
  | InvalidStmt;

/** A `# ...` comment, kept for the formatter. */
export interface Comment {
  readonly kind: "Comment";
  /** The text including `#`, without the line break. */
  readonly text: string;
  readonly span: Span;
}

/** A whole spec file. */
export interface Spec {
  readonly kind: "Spec";
  readonly statements: readonly Statement[];
  readonly comments: readonly Comment[];
  readonly span: Span;
}

/** Any AST node. */
export type Node =
  | Spec
  | Comment
  | Statement
  | Selector
  | Range
  | Arg
  | Value
  | DivExpr
  | SizeAlternatives
  | GroupTarget
  | NamedTarget
  | PlanEntry
  | Ident
  | VariantName;
