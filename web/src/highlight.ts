/**
 * Highlighting of `.adapt` specs in CodeMirror from the language's own lexer and token definitions
 * (grammar/tokens.ts), so a keyword or token added there is highlighted here with no further change.
 * Each token gets a class by what it is: a keyword (by its group), an adapter or head kind, the name a
 * statement declares or uses, a string, number, regular expression, comment or punctuation.
 */
import { RangeSetBuilder } from "@codemirror/state";
import { Decoration, ViewPlugin, type DecorationSet, type EditorView, type ViewUpdate } from "@codemirror/view";
import type { IToken } from "chevrotain";
import { lexSpec } from "../../grammar/lexer.ts";
import { ADAPTER_KINDS } from "../../compiler/kinds/registry.ts";
import {
  Colon,
  Comment,
  HEAD_KINDS,
  Identifier,
  KEYWORD_GROUPS,
  NumberLiteral,
  PUNCTUATION,
  RegexLiteral,
  StringLiteral,
  UnterminatedString,
} from "../../grammar/tokens.ts";
import { NAMED_STATEMENTS } from "../../editors/generate/shared.ts";

const groupOf = new Map<string, string>(
  Object.entries(KEYWORD_GROUPS).flatMap(([g, words]) => words.map((w) => [w, g] as [string, string])),
);
const builtins = new Set<string>([...ADAPTER_KINDS, ...HEAD_KINDS]);
const punctuation = new Set(PUNCTUATION);
const named = new Set<string>(NAMED_STATEMENTS);

/**
 * The highlight class of a token (without the `tok-` prefix), or null for plain text. A name before `:`
 * is an argument key, even when it is a keyword elsewhere (`size: 16`, `train: "..."`).
 */
export function tokenClass(t: IToken, previous: IToken | undefined, next?: IToken): string | null {
  const type = t.tokenType;
  if (type === Comment) return "comment";
  if (type === StringLiteral || type === UnterminatedString) return "string";
  if (type === NumberLiteral) return "number";
  if (type === RegexLiteral) return "regexp";
  if (punctuation.has(type)) return "punct";
  if (next?.tokenType === Colon && (type === Identifier || groupOf.has(t.image))) return "key";
  const group = groupOf.get(t.image);
  if (group !== undefined && type !== Identifier) return `kw-${group}`;
  if (builtins.has(t.image)) return "builtin";
  if (previous !== undefined && named.has(previous.image) && previous.tokenType !== Identifier) return "name";
  return null;
}

const marks = new Map<string, Decoration>();
const markOf = (cls: string): Decoration => {
  let m = marks.get(cls);
  if (m === undefined) marks.set(cls, (m = Decoration.mark({ class: `tok-${cls}` })));
  return m;
};

function decorate(view: EditorView): DecorationSet {
  const text = view.state.doc.toString();
  const lexed = lexSpec(text);
  const tokens = [...lexed.tokens, ...lexed.comments].sort((a, b) => a.startOffset - b.startOffset);
  const builder = new RangeSetBuilder<Decoration>();
  let previous: IToken | undefined;
  for (const [i, t] of tokens.entries()) {
    if (t.tokenType.name === "Newline") {
      previous = undefined;
      continue;
    }
    const cls = tokenClass(t, previous, tokens[i + 1]);
    if (cls !== null) builder.add(t.startOffset, t.startOffset + t.image.length, markOf(cls));
    if (t.tokenType !== Comment) previous = t;
  }
  return builder.finish();
}

/** The CodeMirror extension that highlights `.adapt` text. */
export const adaptHighlighting = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = decorate(view);
    }
    update(u: ViewUpdate): void {
      if (u.docChanged) this.decorations = decorate(u.view);
    }
  },
  { decorations: (v) => v.decorations },
);
