/**
 * Compacter and prefix tuning as the compiler sees them: their parameter counts are their formulas,
 * Compacter's factors must divide the site's sizes (ADAPT220), prefix tuning goes only on attention
 * layers (ADAPT221), and the artifact plan keeps only the prefixes.
 */
import { describe, expect, it } from "vitest";
import { codes, compile, encoderManifest } from "../../__tests__/helpers.ts";
import { artifactPlan } from "../../lower/artifact-plan.ts";
import { validatePlan } from "../../ir/schema.ts";

const bert = encoderManifest({ layers: 2, d: 48, ff: 96 });

describe("compacter", () => {
  it("adds 2n³ + 2r(d + m) + d + m parameters per site", () => {
    const r = compile(
      'adapter c = compacter(size: 12, phm: 4, rank: 2)\ninsert c after "encoder.layer.*.output.dense"\n',
      bert,
    );
    expect(r.diagnostics).toEqual([]);
    const [n, rank, d, m] = [4, 2, 48, 12];
    expect(r.plan!.operations.map((o) => o.params)).toEqual([0, 1].map(() => 2 * n ** 3 + 2 * rank * (d + m) + d + m));
    expect(r.plan!.operations[0]!.config).toEqual({
      kind: "compacter",
      activation: "relu",
      init: { kind: "near_identity", std: 0.01 },
      phm: 4,
      rank: 2,
    });
    expect(validatePlan(r.plan)).toEqual([]);
  });

  it("refuses a factor count that does not divide the sizes (ADAPT220), once per statement", () => {
    const r = compile('adapter c = compacter(size: 10, phm: 4)\ninsert c after "encoder.layer.*.output.dense"\n', bert);
    expect(codes(r.diagnostics)).toEqual(["ADAPT220"]);
  });
});

describe("prefix", () => {
  it("goes only on attention layers (ADAPT221)", () => {
    const r = compile('adapter p = prefix(length: 4)\napply p to "encoder.layer.0.output.dense"\n', bert);
    expect(codes(r.diagnostics)).toEqual(["ADAPT221"]);
  });

  it("stores only the prefix rows in an artifact plan", () => {
    const plan = compile(
      'adapter h = bottleneck(size: 4)\ninsert h after "encoder.layer.*.output.dense"\n',
      bert,
    ).plan!;
    expect(artifactPlan(plan)).toBe(plan);
  });
});
