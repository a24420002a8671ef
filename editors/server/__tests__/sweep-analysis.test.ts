import { describe, expect, it } from "vitest";
import { pathToFileURL } from "node:url";
import { analyzeDocument } from "../analysis.ts";

const MODEL = new URL("../../../compiler/__tests__/fixtures/tiny-bert/model.json", import.meta.url).pathname;
const SPEC = `model "${MODEL}"
adapter h = bottleneck(size: 4 | 2)
insert h after "encoder.layer.*.output.dense"
size h = 4 | d / 3
plan {
  epochs 1 | 2
}
variant top {
  train "encoder.layer.*.**" in layers 1
}
`;

describe("the language server on a sweep spec", () => {
  it("reports each point's problems at the sweep's own text, once, and nothing for valid alternatives", () => {
    const state = analyzeDocument(pathToFileURL("/tmp/sweep.adapt").href, SPEC);
    const errors = state.diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => `${d.code} ${d.span.start.line}:${d.span.start.column}`)).toEqual(["ADAPT210 4:14"]);
  });
});
