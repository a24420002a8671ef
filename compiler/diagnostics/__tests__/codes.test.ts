import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { analyzeText } from "../../frontend/analyze.ts";
import { ALL_CODES, CODES } from "../codes.ts";

const DIR = new URL("../../../specs/diagnostics/", import.meta.url).pathname;
const files = readdirSync(DIR).filter((f) => f.endsWith(".adapt")).sort();

/** The `# expect: CODE line:col message` line at the end of a fixture. */
function expectation(text: string): { code: string; line: number; column: number; message: string } {
  const m = /^# expect: (ADAPT\d{3}) (\d+):(\d+) (.*)$/m.exec(text);
  if (!m) throw new Error("fixture has no expect line");
  return { code: m[1]!, line: Number(m[2]), column: Number(m[3]), message: m[4]! };
}

describe("every diagnostic fixture produces its code, message and position", () => {
  for (const f of files.filter((f) => !readFileSync(DIR + f, "utf8").includes("# model:"))) {
    it(f, () => {
      const text = readFileSync(DIR + f, "utf8");
      const want = expectation(text);
      const purpose = text.includes("# purpose: run") ? "run" : "check";
      const got = analyzeText(text, f, { purpose }).diagnostics;
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
  it("has a fixture for every code of the model-free stages", () => {
    const modelFree = ALL_CODES.filter((c) => /^ADAPT(0\d\d|1[01]\d|20\d|3\d\d)$/.test(c));
    const missing = modelFree.filter((c) => !files.includes(`${c}.adapt`));
    expect(missing).toEqual([]);
  });

  it("keeps codes in their ranges with one-line titles", () => {
    for (const code of ALL_CODES) {
      expect(code).toMatch(/^ADAPT[01239]\d\d$/);
      expect(CODES[code].title).not.toMatch(/[.\n]$/);
    }
  });
});
