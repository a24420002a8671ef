import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { FIXTURES, compile, fixtureManifest } from "../../compiler/__tests__/helpers.ts";
import * as plan from "../../compiler/ir/plan-validator.generated.js";
import * as modelJson from "../../compiler/model/model-json-validator.generated.js";
import { VALIDATORS, validatorSource } from "../validators.ts";

const houlsby = readFileSync(`${FIXTURES}specs/houlsby.adapt`, "utf8");
const tinyBert = JSON.parse(readFileSync(`${FIXTURES}tiny-bert/model.json`, "utf8")) as Record<string, unknown>;

/** Valid and invalid inputs for each generated validator, in VALIDATORS' order. */
function cases(): unknown[][] {
  const { plan: p } = compile(houlsby, fixtureManifest("tiny-bert"));
  const op = { ...p!.operations[0]!, kind: "nonsense", size: -1 };
  const topology = tinyBert["modelTopology"] as Record<string, unknown>;
  return [
    [p, { ...p, version: 2 }, { ...p, extra: 1 }, { ...p, operations: [op] }, null, []],
    [
      tinyBert,
      { ...tinyBert, modelTopology: { ...topology, class_name: "x".repeat(5000) } },
      { ...tinyBert, weightsManifest: [{ weights: [{ name: "w", shape: [-1], dtype: "float32" }] }] },
      { format: 1 },
      "model",
    ],
  ];
}

describe("the generated schema validators", () => {
  it("are fresh generations from their schemas (run `npx tsx scripts/gen-plan-schema.ts`)", () => {
    for (const v of VALIDATORS) expect(readFileSync(v.path, "utf8")).toBe(validatorSource(v));
    expect(plan.schema).toEqual(JSON.parse(JSON.stringify(VALIDATORS[0]!.schema)));
    expect(modelJson.schema).toEqual(JSON.parse(JSON.stringify(VALIDATORS[1]!.schema)));
  });

  it("give the verdicts and errors of validators compiled at run time", () => {
    const generated = [plan.validate, modelJson.validate];
    cases().forEach((inputs, i) => {
      const compiled = new Ajv(VALIDATORS[i]!.options).compile(VALIDATORS[i]!.schema);
      for (const input of inputs) {
        expect(generated[i]!(input)).toBe(compiled(input));
        expect(generated[i]!.errors ?? null).toEqual(compiled.errors ?? null);
      }
    });
  });
});
