import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { runCli } from "../../__tests__/run-cli.ts";
import { validatePlan } from "../../../compiler/ir/schema.ts";

const fixtures = new URL("../../../compiler/__tests__/fixtures/", import.meta.url).pathname;

const run = runCli;

/** A temp folder with the fixtures copied in (specs/ and the models beside it). */
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), "adapt-compile-"));
  cpSync(fixtures, dir, { recursive: true });
  return dir;
}

describe("adapt compile", () => {
  it("prints a schema-valid plan; the model path is relative to the spec's folder", async () => {
    const dir = workspace();
    const r = await run(["compile", "specs/houlsby.adapt"], dir);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.out);
    expect(validatePlan(plan)).toEqual([]);
    expect(plan.model.path).toBe("../tiny-bert/model.json");
    expect(plan.operations).toHaveLength(36);
  });

  it("writes YAML atomically with -o, leaving no temp file", async () => {
    const dir = workspace();
    const r = await run(["compile", "specs/houlsby.adapt", "--emit", "yaml", "-o", "plan.yaml"], dir);
    expect(r).toMatchObject({ code: 0, out: "" });
    const plan = parseYaml(readFileSync(join(dir, "plan.yaml"), "utf8"));
    expect(validatePlan(plan)).toEqual([]);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("--model overrides the spec's model, relative to the working folder", async () => {
    const dir = workspace();
    writeFileSync(join(dir, "s.adapt"), 'model "nope.json"\nadapter a = bottleneck(size: 2)\ninsert a after "fc2"\n');
    expect((await run(["compile", "s.adapt"], dir)).err).toContain("error[ADAPT125]");
    const r = await run(["compile", "s.adapt", "--model", "mlp/model.json"], dir);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).model.params).toBe(516);
  });

  it("exits 1 on spec errors with rendered diagnostics, 2 on usage errors", async () => {
    const dir = workspace();
    writeFileSync(
      join(dir, "bad.adapt"),
      'model "mlp/model.json"\nadapter a = bottleneck(size: 2)\ninsert a after "fc3"\n',
    );
    const r = await run(["compile", "bad.adapt"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[ADAPT120]: `fc3` matches no layer of the model");
    expect(r.err).toContain("bad.adapt:3:16");
    expect(r.out).toBe("");
    expect((await run(["compile", "bad.adapt", "--emit", "xml"], dir)).code).toBe(2);
    expect((await run(["compile", "missing.adapt"], dir)).code).toBe(2);
  });

  it("a malformed model file is ADAPT126 naming the file", async () => {
    const dir = workspace();
    writeFileSync(join(dir, "m.json"), '{"modelTopology": 3}');
    writeFileSync(join(dir, "s.adapt"), 'model "m.json"\n');
    const r = await run(["compile", "s.adapt"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[ADAPT126]: the model file `m.json`");
  });
});

describe("adapt explain and adapt inspect", () => {
  it("explain --json has the contract's totals", async () => {
    const dir = workspace();
    const r = await run(["explain", "specs/houlsby.adapt", "--json"], dir);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.totals).toMatchObject({ base: 10872, added: 3904, head: 18 });
    expect(Object.keys(j.totals)).toEqual(expect.arrayContaining(["base", "added", "trainable", "trainablePercent"]));
    expect(j.sites[0]).toMatchObject({ layerIndex: 0, d: 8, size: 8, params: 144, line: 7 });
  });

  it("explain prints the site and weight tables and the totals line", async () => {
    const dir = workspace();
    const r = await run(["explain", "specs/houlsby.adapt.yaml"], dir);
    expect(r.code).toBe(0);
    expect(r.out).toContain("houlsby@encoder.layer.0.attention.output.dense");
    expect(r.out).toMatch(/embeddings\.LayerNorm\/gamma\s+base\s+\[8\]\s+8\s+train\s+line 16: train "\*\*\.LayerNorm"/);
    expect(r.out).toContain("trainable params: 4,290 || base params: 10,872");
  });

  it("inspect lists paths, classes, shapes and parameters", async () => {
    const dir = workspace();
    const r = await run(["inspect", "residual/model.json"], dir);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/block\.dense1\s+Dense\s+\[null, 6, 24\]\s+312/);
    const j = JSON.parse((await run(["inspect", "residual/model.json", "--json"], dir)).out);
    expect(j.layers.map((l: { path: string }) => l.path)).toEqual([
      "inputs",
      "block.dense1",
      "block.dense2",
      "block.add",
      "block.LayerNorm",
    ]);
    writeFileSync(join(dir, "x.json"), "{");
    expect((await run(["inspect", "x.json"], dir)).code).toBe(1);
  });
});

describe("adapt check with a model", () => {
  it("reports the model-stage diagnostics once, and none without a model", async () => {
    const dir = workspace();
    writeFileSync(join(dir, "s.adapt"), 'adapter a = bottleneck(size: 2)\ninsert a after "fc9"\n');
    const without = await run(["check", "s.adapt", "--format", "json"], dir);
    expect(without.code).toBe(0);
    const withModel = await run(["check", "s.adapt", "--model", "mlp/model.json", "--format", "json"], dir);
    const ds = JSON.parse(withModel.out) as { code: string; file: string; line: number }[];
    expect(ds.map((d) => [d.code, d.file, d.line])).toEqual([["ADAPT120", "s.adapt", 2]]);
  });
});
