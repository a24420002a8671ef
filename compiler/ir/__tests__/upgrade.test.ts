/**
 * Plans saved before operations had a per-kind `config` upgrade to the current shape, valid against
 * the schema, with the same weights and parameters as a fresh compile gives.
 */
import { describe, expect, it } from "vitest";
import { validatePlan } from "../schema.ts";
import { upgradePlan } from "../upgrade.ts";
import type { CompiledPlan } from "../types.ts";

const source = { line: 3, column: 1, endLine: 3, endColumn: 20 };
const w = (name: string, shape: number[]) => ({ name, shape });

const OLD_OPS = [
  {
    id: "h@fc1",
    adapter: "h",
    kind: "bottleneck",
    site: "fc1",
    position: "after",
    layerIndex: null,
    d: 8,
    size: 2,
    kernelShape: null,
    activation: "gelu",
    init: { kind: "near_identity", std: 0.01 },
    scale: 1,
    dropout: 0,
    params: 42,
    weights: [
      w("adapter.h.fc1/down/kernel", [8, 2]),
      w("adapter.h.fc1/down/bias", [2]),
      w("adapter.h.fc1/up/kernel", [2, 8]),
      w("adapter.h.fc1/up/bias", [8]),
    ],
    source,
  },
  {
    id: "l@fc1",
    adapter: "l",
    kind: "lora",
    site: "fc1",
    position: "weight",
    layerIndex: null,
    d: 8,
    size: 4,
    kernelShape: [8, 8],
    activation: null,
    init: { kind: "zeros", std: 0 },
    scale: 4,
    dropout: 0.1,
    params: 64,
    weights: [w("adapter.l.fc1/lora_A", [8, 4]), w("adapter.l.fc1/lora_B", [4, 8])],
    source,
  },
  {
    id: "s@fc1",
    adapter: "s",
    kind: "ia3",
    site: "fc1",
    position: "weight",
    layerIndex: null,
    d: 8,
    size: null,
    kernelShape: [8, 8],
    activation: null,
    init: { kind: "zeros", std: 0 },
    scale: 1,
    dropout: 0,
    params: 8,
    weights: [w("adapter.s.fc1/scale", [8])],
    source,
  },
];

const oldPlan = {
  version: 1,
  spec: { file: "x.adapt", sha256: "0".repeat(64), text: "" },
  model: { path: "model.json", className: "Functional", fingerprint: "0".repeat(64), params: 100 },
  operations: OLD_OPS,
  weights: [],
  head: null,
  plan: null,
  totals: { base: 100, added: 114, head: 0, trainable: 114, trainablePercent: 114 },
};

describe("upgradePlan", () => {
  it("turns flat operations into common fields plus their kind's config", () => {
    const plan = upgradePlan(oldPlan) as CompiledPlan;
    expect(validatePlan(oldPlan)).not.toEqual([]);
    expect(validatePlan(plan)).toEqual([]);
    expect(plan.operations.map((o) => o.config)).toEqual([
      { kind: "bottleneck", activation: "gelu", init: { kind: "near_identity", std: 0.01 } },
      { kind: "lora", kernelShape: [8, 8], alpha: 16, scale: 4, dropout: 0.1 },
      { kind: "ia3" },
    ]);
    expect(plan.operations.map((o) => o.weights)).toEqual(OLD_OPS.map((o) => o.weights));
  });

  it("leaves current plans and non-plans as they are", () => {
    const current = upgradePlan(oldPlan);
    expect(upgradePlan(current)).toEqual(current);
    expect(upgradePlan(null)).toBeNull();
    expect(upgradePlan({ operations: "x" })).toEqual({ operations: "x" });
  });
});
