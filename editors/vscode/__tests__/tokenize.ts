/**
 * Test helper: tokenizes text with the generated TextMate grammar through vscode-textmate and the
 * Oniguruma WASM build, the same engine VS Code uses.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import vsctm from "vscode-textmate";
import onig from "vscode-oniguruma";
import type { TmGrammar } from "../../generate/textmate.ts";

/** One token: its text and its scopes (without the root `source.adapt`). */
export interface ScopedToken {
  readonly line: number;
  /** 0-based column of the token's first non-blank character. */
  readonly column: number;
  readonly text: string;
  readonly scopes: readonly string[];
}

let onigReady: Promise<void> | null = null;

function loadOnig(): Promise<void> {
  const wasmPath = createRequire(import.meta.url).resolve("vscode-oniguruma/release/onig.wasm");
  const wasm = readFileSync(wasmPath);
  onigReady ??= onig.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  return onigReady;
}

/** Loads `grammar` into a fresh registry. */
export function loadGrammar(grammar: TmGrammar): Promise<vsctm.IGrammar> {
  return loadGrammars(grammar.scopeName, [grammar]);
}

/** A grammar file as JSON: its scope name and, for injection grammars, its selector. */
interface RawGrammar {
  readonly scopeName: string;
  readonly injectionSelector?: string;
}

/**
 * Loads the grammar `scopeName` from `grammars` into a fresh registry, with the injection grammars
 * among them injected where their selectors say (as VS Code does with `injectTo`).
 */
export async function loadGrammars(scopeName: string, grammars: readonly RawGrammar[]): Promise<vsctm.IGrammar> {
  await loadOnig();
  const byScope = new Map(grammars.map((g) => [g.scopeName, g]));
  const injections = grammars.filter((g) => g.injectionSelector !== undefined).map((g) => g.scopeName);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new onig.OnigScanner(patterns),
      createOnigString: (s: string) => new onig.OnigString(s),
    }),
    loadGrammar: async (scope: string) => {
      const g = byScope.get(scope);
      return g === undefined ? null : vsctm.parseRawGrammar(JSON.stringify(g), `${scope}.json`);
    },
    getInjections: (scope: string) => (scope === scopeName ? injections : undefined),
  });
  const loaded = await registry.loadGrammar(scopeName);
  if (loaded === null) throw new Error(`grammar ${scopeName} did not load`);
  return loaded;
}

/** Tokenizes `text` line by line, carrying the rule stack across lines. */
export function tokenize(grammar: vsctm.IGrammar, text: string): ScopedToken[] {
  const out: ScopedToken[] = [];
  let stack = vsctm.INITIAL;
  text.split("\n").forEach((line, i) => {
    const r = grammar.tokenizeLine(line, stack);
    for (const t of r.tokens) {
      const tokenText = line.slice(t.startIndex, t.endIndex);
      if (tokenText.trim() === "") continue;
      const column = t.startIndex + tokenText.length - tokenText.trimStart().length;
      out.push({ line: i + 1, column, text: tokenText, scopes: t.scopes.slice(1) });
    }
    stack = r.ruleStack;
  });
  return out;
}

/** The snapshot form: one `text | scopes` row per token, a blank row between source lines. */
export function snapshotText(tokens: readonly ScopedToken[]): string {
  const width = Math.min(40, Math.max(...tokens.map((t) => t.text.length)));
  const rows: string[] = [];
  let line = 0;
  for (const t of tokens) {
    if (t.line !== line && line !== 0) rows.push("");
    line = t.line;
    rows.push(`${t.text.trim().padEnd(width)} | ${t.scopes.join(" ")}`.trimEnd());
  }
  return `${rows.join("\n")}\n`;
}
