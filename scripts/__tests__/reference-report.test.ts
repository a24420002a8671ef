import { describe, expect, it } from "vitest";
import { ALL_CODES, CODES } from "../../compiler/diagnostics/codes.ts";
import { reportExample } from "../reference-report.ts";

const DIR = new URL("../../specs/diagnostics/", import.meta.url).pathname;
const REPORT_CODES = ALL_CODES.filter((c) => /^ADAPT98[0-3]$/.test(c));

describe("the folder examples of `adapt report`'s codes", () => {
  it("exist for every code of adapt report", () => {
    expect(REPORT_CODES).toEqual(["ADAPT980", "ADAPT981", "ADAPT982", "ADAPT983"]);
    for (const code of REPORT_CODES) expect(reportExample(code, DIR), code).not.toBeNull();
  });

  for (const code of REPORT_CODES) {
    it(`${code} is what its example gives, with the file it is about`, () => {
      const example = reportExample(code, DIR)!;
      expect(example.diagnostic?.code).toBe(code);
      expect(example.diagnostic?.severity).toBe(CODES[code].severity);
      expect(example.diagnostic?.file).toMatch(/^sweeps/);
    });
  }
});
