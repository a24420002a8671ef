import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { pathToFileURL } from "node:url";
import { generateModelSpec } from "../../../bench/gen-spec.ts";
import { readManifest } from "../../../compiler/model/manifest.ts";
import { analyzeDocument } from "../analysis.ts";
import { summarizeSurgery } from "../surgery.ts";

const TINY = new URL("../../../compiler/__tests__/fixtures/tiny-bert/model.json", import.meta.url).pathname;
const MINILM = new URL("../../../examples/sentiment/model/model.json", import.meta.url).pathname;
const URI = pathToFileURL("/tmp/generated.adapt").href;

describe("the server's analysis of a document", () => {
  it("takes its sites from the pipeline's resolution, the same sites a resolution of its own gives", () => {
    const state = analyzeDocument(URI, generateModelSpec(300, 12, TINY));
    const manifest = readManifest(readFileSync(TINY, "utf8"), TINY).value!;
    expect(state.sites.length).toBeGreaterThan(100);
    expect(state.sites).toEqual(summarizeSurgery(state.analysis.checked!, manifest).value);
  });

  it("still shows the sites that resolve when a model-free check fails (the pipeline stops before the model)", () => {
    const text = `model "${TINY}"
adapter h = bottleneck(size: 4)
insert h after "encoder.layer.*.output.dense" in layers 0..1
insert missing after "encoder.layer.0.output.dense"
`;
    const state = analyzeDocument(URI, text);
    expect(state.diagnostics.map((d) => d.code)).toEqual(["ADAPT101"]);
    expect(state.sites.map((s) => s.layer)).toEqual(["encoder.layer.0.output.dense", "encoder.layer.1.output.dense"]);
  });

  it.each([
    ["the tiny BERT", TINY, 12],
    ["MiniLM", MINILM, 6],
  ])(
    "finds no problem in the 2,000-line benchmark spec against %s (bench/lsp-analysis times every stage)",
    (_, model, blocks) => {
      const state = analyzeDocument(URI, generateModelSpec(2000, blocks, model));
      expect(state.diagnostics).toEqual([]);
      expect(state.analysis.spec.statements.length).toBeGreaterThan(1500);
      expect(state.sites.length).toBeGreaterThan(1000);
    },
  );
});
