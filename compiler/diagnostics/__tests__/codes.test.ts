import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { resolve } from "node:path";
import type { ModelLoader } from "../../compile.ts";
import { compileAnyText } from "../../sweep/compile-sweep.ts";
import { ALL_CODES, CODES } from "../codes.ts";
import { usedArtifactLoader } from "../../../cli/files.ts";

const DIR = new URL("../../../specs/diagnostics/", import.meta.url).pathname;
const files = readdirSync(DIR)
  .filter((f) => f.endsWith(".adapt"))
  .sort();

/** The `# expect: CODE line:col message` line at the end of a fixture. */
function expectation(text: string): { code: string; line: number; column: number; message: string } {
  const m = /^# expect: (ADAPT\d{3}) (\d+):(\d+) (.*)$/m.exec(text);
  if (!m) throw new Error("fixture has no expect line");
  return { code: m[1]!, line: Number(m[2]), column: Number(m[3]), message: m[4]! };
}

/** Reads models relative to the fixtures' folder, as the CLI does relative to a spec. */
const loader: ModelLoader = (path) => {
  try {
    return { ok: true, json: readFileSync(resolve(DIR, path), "utf8") };
  } catch {
    return { ok: false, reason: "no such file or folder" };
  }
};

describe("every diagnostic fixture produces its code, message and position", () => {
  for (const f of files) {
    it(f, async () => {
      const text = readFileSync(DIR + f, "utf8");
      const want = expectation(text);
      const purpose = text.includes("# purpose: run") ? "run" : "check";
      const only = /^# only: (.*)$/m.exec(text)?.[1]?.split(",");
      const got = await compileAnyText(text, f, { purpose, loader, only, artifacts: usedArtifactLoader(DIR) });
      const match = got.find((d) => d.code === want.code);
      expect(match, `diagnostics: ${JSON.stringify(got.map((d) => d.code))}`).toBeDefined();
      expect(match!.message).toBe(want.message);
      expect([match!.span.start.line, match!.span.start.column]).toEqual([want.line, want.column]);
      expect(match!.severity).toBe(CODES[want.code as keyof typeof CODES].severity);
      expect(f).toBe(`${want.code}.adapt`);
    });
  }
});

describe("the code table", () => {
  it("has a fixture for every code of the compiler (0xx-3xx)", () => {
    const runtime = /^ADAPT36\d$/; // distributed sweeps (adapt sweep --queue, adapt worker): reported at run time
    const compilerCodes = ALL_CODES.filter((c) => /^ADAPT[0-3]\d\d$/.test(c) && !runtime.test(c));
    const missing = compilerCodes.filter((c) => !files.includes(`${c}.adapt`));
    expect(missing).toEqual([]);
  });

  it("keeps codes in their ranges with one-line titles", () => {
    for (const code of ALL_CODES) {
      expect(code).toMatch(/^ADAPT[01239]\d\d$/);
      expect(CODES[code].title).not.toMatch(/[.\n]$/);
    }
  });
});
