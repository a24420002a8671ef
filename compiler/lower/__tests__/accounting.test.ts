import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { compile, encoderManifest, fixtureManifest } from "../../__tests__/helpers.ts";
import { explainJson, explainText } from "../explain.ts";
import { canonicalJson, sha256 } from "../sha256.ts";

describe("parameter accounting", () => {
  it("Houlsby on a 12-layer d=768 encoder with m=64 adds 2 x 12 x (2*64*768 + 768 + 64)", () => {
    const m = encoderManifest({ layers: 12, d: 768, ff: 3072 });
    const spec =
      'adapter houlsby = bottleneck(size: 64)\ninsert houlsby after "encoder.layer.*.attention.output.dense" expect 12\ninsert houlsby after "encoder.layer.*.output.dense" expect 12\nhead classifier(classes: 2)\n';
    const { plan, diagnostics } = compile(spec, m);
    expect(diagnostics).toEqual([]);
    expect(plan!.totals.added).toBe(2 * 12 * (2 * 64 * 768 + 768 + 64));
    expect(plan!.totals.head).toBe(768 * 2 + 2);
    expect(plan!.totals.trainable).toBe(plan!.totals.added + plan!.totals.head);
    expect(plan!.totals.trainablePercent).toBeCloseTo(
      ((2 * 12 * (2 * 64 * 768 + 768 + 64) + 1538) / m.params) * 100,
      10,
    );
    for (const op of plan!.operations)
      expect(op.weights.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0)).toBe(op.params);
  });

  it("lora adds r(n_in + n_out), ia3 adds d, regression heads d + 1", () => {
    const m = fixtureManifest("tiny-bert");
    const spec =
      'adapter l = lora(rank: 2)\nadapter s = ia3()\napply l to "encoder.layer.0.intermediate.dense"\napply s to "encoder.layer.0.output.dense"\nhead regression()\n';
    const { plan } = compile(spec, m);
    expect(plan!.operations.map((o) => [o.kind, o.params])).toEqual([
      ["lora", 2 * (8 + 32)],
      ["ia3", 8],
    ]);
    expect(plan!.head).toMatchObject({
      kind: "regression",
      classes: 1,
      d: 8,
      params: 9,
      input: "encoder.layer.11.output.LayerNorm",
    });
    expect(plan!.totals).toMatchObject({ base: 10872, added: 88, head: 9 });
  });

  it("explain lists sites and weights with deciding lines and the totals", () => {
    const m = fixtureManifest("mlp");
    const { plan } = compile('adapter a = bottleneck(size: 4)\ninsert a after "fc2"\ntrain "fc1"\n', m);
    const text = explainText(plan!);
    expect(text).toContain("a@fc2");
    expect(text).toMatch(/fc1\/kernel\s+base\s+\[10, 16\]\s+160\s+train\s+line 3: train "fc1"/);
    expect(text).toContain("trainable params: 324 || base params: 516");
    expect(explainJson(plan!)).toMatchObject({
      totals: { base: 516, added: 2 * 4 * 16 + 16 + 4, trainable: 176 + 148 },
    });
  });
});

describe("sha256", () => {
  it("agrees with node:crypto on short, block-boundary and multi-byte inputs", () => {
    for (const s of ["", "abc", "a".repeat(55), "a".repeat(56), "a".repeat(64), "ünïcödé ✓".repeat(50)]) {
      expect(sha256(s)).toBe(createHash("sha256").update(s).digest("hex"));
    }
  });

  it("canonical JSON sorts keys at every level", () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: null }] })).toBe('{"a":[{"c":null,"d":2}],"b":1}');
  });
});
