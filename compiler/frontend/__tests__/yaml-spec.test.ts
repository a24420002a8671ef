import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileText, type ModelLoader } from "../../compile.ts";
import { FIXTURES } from "../../__tests__/helpers.ts";
import { analyzeYamlText, yamlSpecToAdaptText } from "../yaml-spec.ts";

const loader: ModelLoader = (path) => ({ ok: true, json: readFileSync(`${FIXTURES}specs/${path}`, "utf8") });

describe("YAML specs", () => {
  it("compile to the same plan as the equivalent .adapt spec", async () => {
    const adapt = await compileText(readFileSync(`${FIXTURES}specs/houlsby.adapt`, "utf8"), "houlsby.adapt", {
      loader,
    });
    const yaml = await compileText(readFileSync(`${FIXTURES}specs/houlsby.adapt.yaml`, "utf8"), "houlsby.adapt.yaml", {
      loader,
    });
    expect(yaml.diagnostics).toEqual([]);
    const strip = (p: typeof adapt.value.plan) => ({
      ...p!,
      spec: null,
      operations: p!.operations.map((o) => ({ ...o, source: null })),
      weights: p!.weights.map((w) => ({ ...w, rule: w.rule && { ...w.rule, line: 0 } })),
    });
    expect(strip(yaml.value.plan)).toEqual(strip(adapt.value.plan));
    expect(yaml.value.plan!.operations[0]!.source.line).toBe(7);
  });

  it("report problems at the YAML lines they come from, with the ordinary codes", () => {
    const text =
      'model: m.json\nadapters:\n  a: { kind: bottleneck, sise: 4 }\ninsert:\n  - { adapter: b, after: "x" }\n';
    const r = analyzeYamlText(text, "s.yaml");
    const found = r.diagnostics.map((d) => [d.code, d.span.start.line]);
    expect(found).toContainEqual(["ADAPT110", 3]);
    expect(found).toContainEqual(["ADAPT101", 5]);
  });

  it("reject structure they do not know and strings that would break a line", () => {
    const r = analyzeYamlText('modle: x\ninsert: 3\nmodel: "a\\nb"\n', "s.yaml");
    expect(r.diagnostics.map((d) => [d.code, d.span.start.line])).toEqual([
      ["ADAPT003", 1],
      ["ADAPT004", 2],
      ["ADAPT004", 3],
    ]);
    expect(r.diagnostics[0]!.help).toBe("did you mean `model`?");
  });

  it("translate to readable .adapt text", () => {
    const t = yamlSpecToAdaptText(
      'adapters:\n  l: { kind: lora, rank: 4 }\napply:\n  - { adapter: l, to: "a.*", layers: "0..2", expect: 3 }\nrules:\n  - train: all\n  - freeze: /x\\..*/\n',
    );
    expect(t.value).toBe(
      'adapter l = lora(rank: 4)\napply l to "a.*" in layers 0..2 expect 3\ntrain all\nfreeze /x\\..*/\n',
    );
  });
});
