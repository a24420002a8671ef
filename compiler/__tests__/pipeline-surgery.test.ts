import { describe, expect, it } from "vitest";
import { runPipelineSync } from "../compile.ts";
import { fixtureManifest } from "./helpers.ts";

const manifest = fixtureManifest("tiny-bert");
const run = (text: string) => runPipelineSync({ text, file: "spec.adapt" }, () => ({ ok: true, manifest }));

describe("the pipeline's resolved surgery", () => {
  it("holds every site with its lowered operation, the plan's own operations", () => {
    const r = run(`model "m.json"
adapter h = bottleneck(size: 4)
insert h after "encoder.layer.*.output.dense" in layers 0..2
`);
    const surgery = r.value.surgery!;
    expect(surgery.sites.map((s) => s.layer.path)).toEqual([0, 1, 2].map((i) => `encoder.layer.${i}.output.dense`));
    expect(surgery.operations).toEqual(r.value.plan!.operations);
  });

  it("is kept when the plan has errors, so an editor can still show the sites that resolve", () => {
    const r = run(`model "m.json"
adapter h = bottleneck(size: 4)
insert h after "encoder.layer.0.output.dense"
insert h after "encoder.layer.*.output.dense" in layers 0..1
`);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["ADAPT128"]);
    expect(r.value.plan).toBeNull();
    expect(r.value.surgery!.operations.map((op) => op.site)).toEqual([
      "encoder.layer.0.output.dense",
      "encoder.layer.1.output.dense",
    ]);
  });

  it("is null when the pipeline stops before the model", () => {
    const r = run(`model "m.json"
insert missing after "encoder.layer.0.output.dense"
`);
    expect(r.diagnostics.map((d) => d.code)).toContain("ADAPT101");
    expect(r.value.surgery).toBeNull();
  });
});
