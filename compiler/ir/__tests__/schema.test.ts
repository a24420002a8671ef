import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { FIXTURES, compile, fixtureManifest } from "../../__tests__/helpers.ts";
import { planSchemaJson, validatePlan } from "../schema.ts";

const houlsby = readFileSync(`${FIXTURES}specs/houlsby.adapt`, "utf8");

describe("the plan schema", () => {
  it("specs/plan.schema.json is generated from schema.ts and not stale", () => {
    const published = readFileSync(new URL("../../../specs/plan.schema.json", import.meta.url), "utf8");
    expect(published).toBe(planSchemaJson());
  });

  it("compiled plans validate, with the published schema too", () => {
    const { plan } = compile(houlsby, fixtureManifest("tiny-bert"));
    expect(plan).not.toBeNull();
    expect(validatePlan(plan)).toEqual([]);
    const published = JSON.parse(planSchemaJson());
    expect(new Ajv({ strict: false }).validate(published, JSON.parse(JSON.stringify(plan)))).toBe(true);
  });

  it("rejects plans with wrong or extra fields", () => {
    const { plan } = compile(houlsby, fixtureManifest("tiny-bert"));
    expect(validatePlan({ ...plan, version: 2 })).not.toEqual([]);
    expect(validatePlan({ ...plan, extra: 1 })).not.toEqual([]);
    const op = { ...plan!.operations[0]!, kind: "nonsense" };
    expect(validatePlan({ ...plan, operations: [op] }).join()).toContain("/operations/0/kind");
  });
});
