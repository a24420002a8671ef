import { describe, expect, it } from "vitest";
import { codes, compile, fixtureManifest } from "../../__tests__/helpers.ts";

const bert = fixtureManifest("tiny-bert");
const HOULSBY =
  'adapter h = bottleneck(size: 2)\ninsert h after "encoder.layer.*.output.dense"\nhead classifier(classes: 3)\n';

function state(text: string) {
  const r = compile(text, bert);
  if (r.plan === null) throw new Error(r.diagnostics.map((d) => d.message).join("; "));
  return { plan: r.plan, diagnostics: r.diagnostics, by: new Map(r.plan.weights.map((w) => [w.name, w])) };
}

describe("trainability rules", () => {
  it("defaults: base frozen, adapters and head trainable, decided by no rule", () => {
    const { plan } = state(HOULSBY);
    expect(plan.weights.filter((w) => w.trainable).every((w) => w.owner !== "base")).toBe(true);
    expect(plan.weights.filter((w) => w.owner !== "base").every((w) => w.trainable && w.rule === null)).toBe(true);
    expect(plan.totals.trainable).toBe(plan.totals.added + plan.totals.head);
  });

  it("the last matching rule decides, and its line is recorded", () => {
    const { by, diagnostics } = state(`${HOULSBY}train "**.LayerNorm"\nfreeze "encoder.layer.0.**"\n`);
    expect(diagnostics).toEqual([]);
    expect(by.get("encoder.layer.1.output.LayerNorm/gamma")).toMatchObject({
      trainable: true,
      rule: { action: "train", line: 4, text: 'train "**.LayerNorm"' },
    });
    expect(by.get("encoder.layer.0.output.LayerNorm/gamma")).toMatchObject({ trainable: false, rule: { line: 5 } });
    expect(by.get("embeddings.LayerNorm/beta")!.trainable).toBe(true);
    expect(by.get("pooler.dense/kernel")).toMatchObject({ trainable: false, rule: null });
  });

  it("`train all` is full fine-tuning; `freeze adapters` and `freeze head` reach the added weights", () => {
    const all = state(`${HOULSBY}train all\n`).plan;
    expect(all.weights.every((w) => w.trainable)).toBe(true);
    expect(all.totals.trainable).toBe(all.totals.base + all.totals.added + all.totals.head);
    const frozen = state(`${HOULSBY}freeze adapters\nfreeze head\ntrain "encoder.layer.*.**" in layers 9..11\n`).plan;
    expect(frozen.weights.filter((w) => w.trainable).map((w) => w.layer.split(".")[2])).toEqual(
      Array(3 * 16)
        .fill(0)
        .map((_, i) => String(9 + Math.floor(i / 16))),
    );
  });

  it("a glob with a `/` selects single weights", () => {
    const { by } = state(`${HOULSBY}train "**.LayerNorm/gamma"\n`);
    expect(by.get("embeddings.LayerNorm/gamma")!.trainable).toBe(true);
    expect(by.get("embeddings.LayerNorm/beta")!.trainable).toBe(false);
  });

  it("a rule overridden everywhere by later rules is an ADAPT123 warning", () => {
    const { diagnostics } = state(`${HOULSBY}train "encoder.layer.0.output.dense"\nfreeze "encoder.layer.0.**"\n`);
    expect(codes(diagnostics)).toEqual(["ADAPT123"]);
    expect(diagnostics[0]!.message).toBe(
      '`train "encoder.layer.0.output.dense"` has no effect: every weight it matches is decided by a later rule (line 5)',
    );
    expect(codes(state(`${HOULSBY}train "encoder.layer.0.output.add"\n`).diagnostics)).toEqual(["ADAPT123"]);
  });

  it("a rule selector that matches nothing is ADAPT120, not also ADAPT123", () => {
    const r = compile(`${HOULSBY}train "encoder.layer.0.LayerNorm"\n`, bert);
    expect(codes(r.diagnostics)).toEqual(["ADAPT120"]);
  });
});
