import { describe, it, expect, beforeAll } from "vitest";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type vsctm from "vscode-textmate";
import { buildTmLanguage } from "../../generate/textmate.ts";
import { buildMarkdownInjection, EMBEDDED_SCOPE } from "../../generate/markdown.ts";
import { KEYWORD_GROUPS } from "../../../grammar/tokens.ts";
import { loadGrammars, snapshotText, tokenize, type ScopedToken } from "./tokenize.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const manifest = JSON.parse(readFileSync(join(here, "..", "package.json"), "utf8")) as {
  contributes: { grammars: { scopeName: string; path: string; injectTo?: string[]; embeddedLanguages?: object }[] };
};

/** VS Code's Markdown grammar (`text.html.markdown`), as the tm-grammars package ships it. */
const markdownGrammar = JSON.parse(
  readFileSync(createRequire(import.meta.url).resolve("tm-grammars/grammars/markdown.json"), "utf8"),
) as { scopeName: string };

let grammar: vsctm.IGrammar;
beforeAll(async () => {
  grammar = await loadGrammars("text.html.markdown", [markdownGrammar, buildTmLanguage(), buildMarkdownInjection()]);
});

const inAdapt = (t: ScopedToken) => t.scopes.includes(EMBEDDED_SCOPE);
const onLine = (tokens: ScopedToken[], line: number) => tokens.filter((t) => t.line === line);
const statements = new RegExp(`^\\s*(${KEYWORD_GROUPS.statement.join("|")})\\b(?!\\s*:)`);

/** The 1-based line numbers of the bodies of the ```` ```adapt ```` fences of a Markdown text. */
function fenceBodies(text: string): number[] {
  const lines: number[] = [];
  let open = false;
  text.split("\n").forEach((line, i) => {
    if (/^\s*```/.test(line)) open = !open && /^\s*```adapt\s*$/.test(line);
    else if (open && line.trim() !== "") lines.push(i + 1);
  });
  return lines;
}

describe("the Markdown injection grammar", () => {
  const text = readFileSync(join(here, "fixtures", "fences.md"), "utf8");

  it("is contributed to VS Code's Markdown with its body mapped to the adapt language", () => {
    const entry = manifest.contributes.grammars.find((g) => g.scopeName === buildMarkdownInjection().scopeName);
    expect(entry).toMatchObject({ injectTo: ["text.html.markdown"], embeddedLanguages: { [EMBEDDED_SCOPE]: "adapt" } });
    expect(JSON.parse(readFileSync(join(here, "..", entry!.path), "utf8"))).toEqual(buildMarkdownInjection());
  });

  it("matches the token snapshot", async () => {
    await expect(snapshotText(tokenize(grammar, text))).toMatchFileSnapshot("__snapshots__/fences.md.snap");
  });

  it("highlights ```adapt and ~~~adapt fences, in a list item too, with the adapt grammar", () => {
    const tokens = tokenize(grammar, text);
    for (const [line, word] of [
      [6, "model"],
      [7, "insert"],
      [13, "train"],
      [17, "adapter"],
    ] as const) {
      const t = onLine(tokens, line).find((x) => x.text.trim() === word);
      expect(t?.scopes, `line ${line}`).toContain("keyword.control.adapt");
      expect(t!.scopes, `line ${line}`).toContain(EMBEDDED_SCOPE);
    }
    expect(onLine(tokens, 5).find((t) => t.text === "adapt")!.scopes).toContain("fenced_code.block.language.markdown");
  });

  it("leaves prose, other languages and ```adapter fences alone, and ends the fence", () => {
    const tokens = tokenize(grammar, text);
    for (const line of [3, 21, 25, 28]) expect(onLine(tokens, line).some(inAdapt), `line ${line}`).toBe(false);
  });

  it.each(["README.md", "specs/LANGUAGE.md"])("highlights every ```adapt fence of %s", (path) => {
    const doc = readFileSync(join(root, path), "utf8");
    const tokens = tokenize(grammar, doc);
    const bodies = fenceBodies(doc);
    expect(bodies.length).toBeGreaterThan(0);
    for (const line of bodies) {
      const first = onLine(tokens, line)[0]!;
      expect(first.scopes, `${path}:${line}`).toContain(EMBEDDED_SCOPE);
      if (statements.test(doc.split("\n")[line - 1]!))
        expect(first.scopes, `${path}:${line}`).toContain("keyword.control.adapt");
    }
  });
});
