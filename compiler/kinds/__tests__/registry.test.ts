/**
 * The kind registry is the one definition of each adapter kind: every kind-specific list in the code
 * base (the IR schema's enum and config union, argument tables, editor grammars and completion, the
 * reference, the runtime's layers) is derived from it, and no source file outside `compiler/kinds/` and
 * `runtime/kinds/` names a kind. Adding a kind touches its two files, the two registry lines, its tests
 * and docs.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { KEYWORDS } from "../../../grammar/tokens.ts";
import { PLAN_SCHEMA } from "../../ir/schema.ts";
import { ADAPTER_ARGS, ADAPTER_KINDS, KINDS, MODULE_KINDS, WEIGHT_KINDS } from "../registry.ts";
import { RUNTIME_KINDS } from "../../../runtime/kinds/index.ts";
import { analyzeDocument } from "../../../editors/server/analysis.ts";
import { completions } from "../../../editors/server/completion.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules" || name === "__tests__" || name.startsWith(".") || name === "out") return [];
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

describe("the kind registry", () => {
  it("lists each kind once, with a level, positions and a size argument from its own table", () => {
    expect(new Set(ADAPTER_KINDS).size).toBe(KINDS.length);
    expect([...MODULE_KINDS, ...WEIGHT_KINDS].sort()).toEqual([...ADAPTER_KINDS].sort());
    for (const k of KINDS) {
      expect(k.positions.length).toBeGreaterThan(0);
      expect(k.level === "weight" ? k.positions : []).toEqual(k.level === "weight" ? ["to"] : []);
      if (k.sizeArg !== null) expect(Object.keys(k.args)).toContain(k.sizeArg);
      expect(ADAPTER_ARGS[k.name]).toBe(k.args);
    }
  });

  it("has a runtime twin for every kind and none more", () => {
    expect(Object.keys(RUNTIME_KINDS).sort()).toEqual([...ADAPTER_KINDS].sort());
    for (const k of KINDS) expect(RUNTIME_KINDS[k.name].name).toBe(k.name);
  });

  it("is what the IR schema's kind enum and config union say", () => {
    const op = PLAN_SCHEMA.properties.operations.items as unknown as {
      properties: { kind: { enum: string[] }; config: { oneOf: unknown[] } };
    };
    expect(op.properties.kind.enum).toEqual([...ADAPTER_KINDS]);
    expect(op.properties.config.oneOf).toEqual(KINDS.map((k) => k.configSchema));
    const published = JSON.parse(readFileSync(join(ROOT, "specs/plan.schema.json"), "utf8")) as {
      properties: { operations: { items: { properties: { kind: { enum: string[] } } } } };
    };
    expect(published.properties.operations.items.properties.kind.enum).toEqual([...ADAPTER_KINDS]);
  });

  it("reaches the editor grammars, the completion and the reference", () => {
    const tm = readFileSync(join(ROOT, "editors/vscode/syntaxes/adapt.tmLanguage.json"), "utf8");
    const hljs = readFileSync(join(ROOT, "editors/web/adapt.hljs.js"), "utf8");
    const reference = readFileSync(join(ROOT, "specs/LANGUAGE.md"), "utf8");
    const text = "adapter x = ";
    const offered = completions(analyzeDocument("untitled:x", text), text.length, () => ({
      line: 0,
      character: text.length,
    })).map((c) => c.label);
    for (const k of KINDS) {
      expect(tm).toContain(k.name);
      expect(hljs).toContain(k.name);
      expect(offered).toContain(k.name);
      expect(reference).toContain(`adapter \`${k.name}(...)\``);
      expect(reference).toContain(k.formula);
    }
  });

  // runtime/interchange/ maps particular kinds onto the PyTorch peers' formats (PEFT's LoRA and IA3,
  // `adapters`' bottleneck), whose vocabulary shares the names: a format written for a kind, not a list of
  // kinds, so a new kind needs nothing there until someone writes it a peer format.
  it("is the only place in the product's sources that names a kind (bench/ builds a Houlsby plan by name; the peers' formats name theirs)", () => {
    const names = ADAPTER_KINDS.filter((k) => !(KEYWORDS as readonly string[]).includes(k));
    const pattern = new RegExp(`["'](${names.join("|")})["']`);
    const offenders = ["grammar", "compiler", "runtime", "cli", "editors", "scripts"]
      .flatMap((d) => sources(join(ROOT, d)))
      .map((p) => relative(ROOT, p))
      .filter((p) => !["compiler/kinds/", "runtime/kinds/", "runtime/interchange/"].some((d) => p.startsWith(d)))
      .filter((p) => pattern.test(readFileSync(join(ROOT, p), "utf8")));
    expect(offenders).toEqual([]);
  });
});
