import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import hljs from "highlight.js/lib/core";
import adapt from "../adapt.hljs.js";
import { KEYWORDS } from "../../../grammar/tokens.ts";

const here = dirname(fileURLToPath(import.meta.url));
const kitchenSink = readFileSync(
  join(here, "..", "..", "vscode", "__tests__", "fixtures", "kitchen-sink.adapt"),
  "utf8",
);
hljs.registerLanguage("adapt", adapt);

const spans = (html: string, cls: string) =>
  [...html.matchAll(new RegExp(`<span class="hljs-${cls}">([^<]*)</span>`, "g"))].map((m) => m[1]);

describe("highlight.js definition", () => {
  const html = hljs.highlight(kitchenSink, { language: "adapt" }).value;

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

  it("does not colour past an unterminated string", () => {
    const out = hljs.highlight('model "oops\ntrain all\n', { language: "adapt" }).value;
    expect(spans(out, "keyword")).toEqual(["model", "train", "all"]);
  });
});
