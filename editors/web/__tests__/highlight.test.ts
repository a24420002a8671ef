import { describe, it, expect, beforeAll } from "vitest";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { runInNewContext } from "node:vm";
import hljs from "highlight.js/lib/core";
import type { LanguageFn } from "highlight.js";
import type vsctm from "vscode-textmate";
import adapt from "../adapt.hljs.js";
import { KEYWORDS } from "../../../grammar/tokens.ts";
import { buildTmLanguage } from "../../generate/textmate.ts";
import { loadGrammar, tokenize, type ScopedToken } from "../../vscode/__tests__/tokenize.ts";
import { scopesByOffset } from "./hljs-html.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const kitchenSink = readFileSync(
  join(here, "..", "..", "vscode", "__tests__", "fixtures", "kitchen-sink.adapt"),
  "utf8",
);
hljs.registerLanguage("adapt", adapt);

const spans = (html: string, cls: string) =>
  [...html.matchAll(new RegExp(`<span class="hljs-${cls}">([^<]*)</span>`, "g"))].map((m) => m[1]);
const highlight = (text: string) => hljs.highlight(text, { language: "adapt" }).value;

describe("highlight.js definition", () => {
  const html = highlight(kitchenSink);

  it("marks every keyword of grammar/tokens.ts", () => {
    const keywords = new Set(spans(html, "keyword"));
    for (const k of KEYWORDS) expect(keywords, k).toContain(k);
  });

  it("marks comments, strings with escapes, numbers, regexes, kinds and adapter names", () => {
    expect(spans(html, "comment")[0]).toMatch(/^# Kitchen sink/);
    expect(spans(html, "string")).toContain("&quot;models/tiny-bert/model.json&quot;");
    expect(spans(html, "char escape_")).toContain("\\\\");
    expect(spans(html, "number")).toEqual(expect.arrayContaining(["3e-4", "0.01", "12"]));
    expect(spans(html, "regexp")).toEqual(["/encoder\\.layer\\.\\d+\\.output\\.dense/i", "/pooler\\..*/"]);
    expect(spans(html, "type")).toEqual(
      expect.arrayContaining(["bottleneck", "parallel", "lora", "ia3", "classifier"]),
    );
    expect(spans(html, "variable")).toEqual(expect.arrayContaining(["houlsby", "side", "lora8", "gate"]));
  });

  it("marks plan keys as keywords and layer classes as built-ins, as the TextMate grammar does", () => {
    expect(spans(html, "keyword")).toEqual(
      expect.arrayContaining(["data", "optimizer", "max_length", "early_stopping"]),
    );
    expect(spans(html, "built_in")).toEqual(["Dense"]);
    expect(spans(html, "attr")).toContain("train");
  });

  it("does not colour past an unterminated string", () => {
    expect(spans(highlight('model "oops\ntrain all\n'), "keyword")).toEqual(["model", "train", "all"]);
  });

  it("ends an unclosed plan block at the next statement", () => {
    const out = highlight("plan {\n  epochs 3\nadapter a = lora(rank: 4)\n");
    expect(spans(out, "keyword")).toEqual(["plan", "epochs", "adapter"]);
    expect(spans(out, "variable")).toEqual(["a"]);
  });
});

/** The highlight.js scope that a TextMate token's scopes correspond to (null: plain text in both). */
function expectedScope(t: ScopedToken): string | null {
  const has = (prefix: string) => t.scopes.some((s) => s.startsWith(prefix));
  if (has("comment")) return "comment";
  if (has("string.regexp")) return "regexp";
  if (has("constant.character.escape")) return "char.escape";
  if (has("string.quoted")) return "string";
  const table: readonly [string, string][] = [
    ["keyword.operator", "operator"],
    ["keyword", "keyword"],
    ["variable.other.adapter", "variable"],
    ["entity.name.type", "type"],
    ["entity.name.function", "title.function"],
    ["variable.parameter", "attr"],
    ["constant.numeric", "number"],
    ["support.class", "built_in"],
    ["punctuation", "punctuation"],
  ];
  return table.find(([prefix]) => has(prefix))?.[1] ?? null;
}

describe("highlight.js agrees with the TextMate grammar", () => {
  let grammar: vsctm.IGrammar;
  beforeAll(async () => {
    grammar = await loadGrammar(buildTmLanguage());
  });

  const files = [
    "editors/vscode/__tests__/fixtures/kitchen-sink.adapt",
    "editors/vscode/__tests__/fixtures/malformed.adapt",
    "specs/examples/kitchen-sink.adapt",
    "examples/sentiment/houlsby.adapt",
  ];
  it.each(files)("on every token of %s", (path) => {
    const text = readFileSync(join(root, path), "utf8");
    const byOffset = scopesByOffset(highlight(text));
    const lineStarts = text.split("\n").reduce<number[]>((acc, l) => [...acc, acc.at(-1)! + l.length + 1], [0]);
    const disagreements = tokenize(grammar, text)
      .map((t) => ({ t, want: expectedScope(t), got: byOffset[lineStarts[t.line - 1]! + t.column] ?? null }))
      .filter(({ want, got }) => want !== got)
      .map(
        ({ t, want, got }) =>
          `${path}:${t.line}:${t.column + 1} ${JSON.stringify(t.text.trim())}: TextMate ${want}, highlight.js ${got}`,
      );
    expect(disagreements).toEqual([]);
  });
});

describe("the three forms of the highlight.js definition", () => {
  const esm = highlight(kitchenSink);

  it("CommonJS: require() gives the same definition", () => {
    const fromCjs = createRequire(import.meta.url)("../adapt.hljs.cjs") as LanguageFn & { default: LanguageFn };
    expect(fromCjs.default).toBe(fromCjs);
    const other = hljs.newInstance();
    other.registerLanguage("adapt", fromCjs);
    expect(other.highlight(kitchenSink, { language: "adapt" }).value).toBe(esm);
  });

  it("plain script: registers itself with a global hljs and leaves hljsDefineAdapt", () => {
    const script = readFileSync(join(here, "..", "adapt.hljs.global.js"), "utf8");
    const withHljs: { hljs: typeof hljs; hljsDefineAdapt?: LanguageFn } = { hljs: hljs.newInstance() };
    runInNewContext(script, withHljs);
    expect(withHljs.hljs.highlight(kitchenSink, { language: "adapt" }).value).toBe(esm);
    const without: { hljsDefineAdapt?: LanguageFn } = {};
    runInNewContext(script, without);
    expect(typeof without.hljsDefineAdapt).toBe("function");
  });
});
