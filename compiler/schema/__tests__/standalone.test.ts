import type { ValidateFunction } from "ajv";
import { describe, expect, it } from "vitest";
import { standaloneOr } from "../standalone.ts";

const schema = { type: "object", required: ["a"], properties: { a: { type: "integer" } } };
const generatedFn = Object.assign(() => true, { errors: null }) as unknown as ValidateFunction<unknown>;

describe("standaloneOr", () => {
  it("takes the generated validator when it was generated from the schema given", () => {
    expect(standaloneOr({ validate: generatedFn, schema: JSON.parse(JSON.stringify(schema)) }, schema, {})).toBe(
      generatedFn,
    );
  });

  it("compiles the schema when the generated file is stale", () => {
    const stale = { ...schema, required: [] };
    const v = standaloneOr({ validate: generatedFn, schema: stale }, schema, { allErrors: true });
    expect(v).not.toBe(generatedFn);
    expect(v({ a: 1 })).toBe(true);
    expect(v({})).toBe(false);
    expect(v({ a: "x" })).toBe(false);
  });
});
