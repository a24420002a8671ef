/**
 * The check rules' contract: each rule in `SPECIFIED_RULES` has a unique name and reports only the
 * codes it declares, over every diagnostic fixture and the kitchen-sink spec.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { makeContext } from "../context.ts";
import { SPECIFIED_RULES } from "../rules.ts";
import { parseSpec } from "../../frontend/parse.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;
const specs = [
  ...readdirSync(`${ROOT}specs/diagnostics`)
    .filter((f) => f.endsWith(".adapt"))
    .map((f) => `${ROOT}specs/diagnostics/${f}`),
  `${ROOT}specs/examples/kitchen-sink.adapt`,
];

describe("SPECIFIED_RULES", () => {
  it("have unique names and declare at least one code each", () => {
    expect(new Set(SPECIFIED_RULES.map((r) => r.name)).size).toBe(SPECIFIED_RULES.length);
    for (const r of SPECIFIED_RULES) expect(r.codes.length).toBeGreaterThan(0);
  });

  it("report only the codes they declare", () => {
    const strays: string[] = [];
    let reported = 0;
    for (const file of specs) {
      const text = readFileSync(file, "utf8");
      for (const purpose of ["check", "run"] as const) {
        const ctx = makeContext(parseSpec(text).value, purpose);
        for (const rule of SPECIFIED_RULES) {
          rule.run(ctx, (d) => {
            reported++;
            if (!rule.codes.includes(d.code)) strays.push(`${rule.name} reported ${d.code} on ${file}`);
          });
        }
      }
    }
    expect(strays).toEqual([]);
    expect(reported).toBeGreaterThan(40);
  });
});
