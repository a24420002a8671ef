import { describe, it, expect, beforeAll } from "vitest";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type vsctm from "vscode-textmate";
import { buildTmLanguage } from "../../generate/textmate.ts";
import { generatedFiles } from "../../generate/outputs.ts";
import { KEYWORD_GROUPS } from "../../../grammar/tokens.ts";
import { ADAPTER_KINDS } from "../../../compiler/kinds/registry.ts";
import { loadGrammar, snapshotText, tokenize, type ScopedToken } from "./tokenize.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const fixture = (name: string) => readFileSync(join(here, "fixtures", name), "utf8");

let grammar: vsctm.IGrammar;
beforeAll(async () => {
  grammar = await loadGrammar(buildTmLanguage());
});

const has = (t: ScopedToken, prefix: string) => t.scopes.some((s) => s.startsWith(prefix));
const onLine = (tokens: ScopedToken[], line: number) => tokens.filter((t) => t.line === line);

describe("generated editor grammars", () => {
  it.each(generatedFiles().map((f) => [f.path, f.text] as const))(
    "%s is up to date with grammar/tokens.ts",
    (path, text) => {
      expect(readFileSync(join(root, path), "utf8"), "run `npx tsx scripts/gen-editor-grammars.ts`").toBe(text);
    },
  );
});

describe("TextMate grammar on the kitchen-sink spec", () => {
  const text = fixture("kitchen-sink.adapt");

  it("matches the token snapshot", async () => {
    await expect(snapshotText(tokenize(grammar, text))).toMatchFileSnapshot("__snapshots__/kitchen-sink.adapt.snap");
  });

  it("scopes every keyword, kind, name, string, number, comment and regex", () => {
    const tokens = tokenize(grammar, text);
    const scopesOf = (word: string) => tokens.filter((t) => t.text === word).map((t) => t.scopes.join(" "));
    for (const w of KEYWORD_GROUPS.statement) {
      expect(
        scopesOf(w).some((s) => s.includes("keyword.control.adapt")),
        w,
      ).toBe(true);
    }
    for (const w of [...KEYWORD_GROUPS.position, ...KEYWORD_GROUPS.selector, ...KEYWORD_GROUPS.target]) {
      expect(
        scopesOf(w).some((s) => s.includes("keyword.other")),
        w,
      ).toBe(true);
    }
    const used = ADAPTER_KINDS.filter((k) => tokens.some((t) => t.text === k));
    expect(used.length).toBeGreaterThanOrEqual(4);
    for (const k of used) expect(scopesOf(k), k).toContain("entity.name.type.adapt");
    for (const n of ["houlsby", "side", "lora8", "gate"]) {
      expect(
        scopesOf(n).every((s) => s.includes("variable.other.adapter.adapt")),
        n,
      ).toBe(true);
    }
    expect(tokens.filter((t) => t.text.startsWith("#")).every((t) => has(t, "comment.line.number-sign"))).toBe(true);
    expect(scopesOf("3e-4")).toEqual(["meta.block.plan.adapt constant.numeric.adapt"]);
    expect(scopesOf('\\"')).toEqual(
      Array(2).fill("meta.block.plan.adapt string.quoted.double.adapt constant.character.escape.adapt"),
    );
    const regexes = tokens
      .filter((t) => has(t, "string.regexp"))
      .map((t) => t.text)
      .join("");
    expect(regexes).toBe("/encoder\\.layer\\.\\d+\\.output\\.dense/i/pooler\\..*/");
  });

  it("gives argument keys and plan keys their own scopes, not keyword scopes", () => {
    const tokens = tokenize(grammar, text);
    const trainKey = tokens.find((t) => t.text === "train" && has(t, "meta.block.plan"))!;
    expect(trainKey.scopes).toContain("variable.parameter.adapt");
    expect(tokens.find((t) => t.text === "size" && has(t, "variable.parameter"))).toBeDefined();
    expect(tokens.find((t) => t.text === "max_length")!.scopes).toContain("keyword.other.plan-key.adapt");
  });
});

describe("TextMate grammar on the project's kitchen-sink example", () => {
  const text = readFileSync(join(root, "specs", "examples", "kitchen-sink.adapt"), "utf8");

  it("matches the token snapshot", async () => {
    await expect(snapshotText(tokenize(grammar, text))).toMatchFileSnapshot(
      "__snapshots__/specs-kitchen-sink.adapt.snap",
    );
  });

  it("leaves no word, number or string unscoped outside comments", () => {
    const bare = tokenize(grammar, text).filter(
      (t) => t.scopes.length === 0 || (t.scopes.length === 1 && t.scopes[0] === "meta.block.plan.adapt"),
    );
    const allowed = /^(?:gelu|relu|zeros|cls|accuracy|f1|mcc|best by validation|LayerNormalization|Dense|d|Dense)$/;
    expect(bare.map((t) => t.text.trim()).filter((w) => !allowed.test(w))).toEqual([]);
  });
});

describe("TextMate grammar on malformed lines", () => {
  const text = fixture("malformed.adapt");

  it("matches the token snapshot", async () => {
    await expect(snapshotText(tokenize(grammar, text))).toMatchFileSnapshot("__snapshots__/malformed.adapt.snap");
  });

  it("ends an unterminated string at the end of its line", () => {
    const tokens = tokenize(grammar, text);
    expect(onLine(tokens, 1).at(-1)!.scopes).toContain("string.quoted.double.adapt");
    for (const line of [2, 4, 5, 7]) {
      expect(onLine(tokens, line)[0]!.scopes, `line ${line}`).toEqual(["keyword.control.adapt"]);
      expect(
        onLine(tokens, line).some((t) => has(t, "string.")),
        `line ${line}`,
      ).toBe(false);
    }
  });

  it("does not colour an unclosed regex as a regex, and flags a bad escape", () => {
    const tokens = tokenize(grammar, text);
    expect(onLine(tokens, 4).some((t) => has(t, "string.regexp"))).toBe(false);
    expect(onLine(tokens, 6).find((t) => t.text === "\\q")!.scopes).toContain("invalid.illegal.unknown-escape.adapt");
  });

  it("closes an unclosed plan block at the next statement", () => {
    const tokens = tokenize(grammar, text);
    expect(onLine(tokens, 10)[0]!.scopes).toEqual(["keyword.control.adapt"]);
    expect(onLine(tokens, 11)[1]!.scopes).toEqual(["variable.other.adapter.adapt"]);
  });
});
