import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { renderReference } from "../reference-doc.ts";
import { ALL_CODES } from "../../compiler/diagnostics/codes.ts";
import { compileText } from "../../compiler/compile.ts";
import { syntheticEncoder } from "../../compiler/model/synthetic.ts";
import { validatePlan } from "../../compiler/ir/schema.ts";
import { parseSpec } from "../../compiler/frontend/parse.ts";
import { compileSweepText, isSweepText } from "../../compiler/sweep/compile-sweep.ts";

const path = new URL("../../specs/LANGUAGE.md", import.meta.url).pathname;
const doc = readFileSync(path, "utf8");
const bert = syntheticEncoder({ layers: 12, d: 768, ff: 3072, vocab: 1000, seq: 128 });

const PRELUDE: Record<string, string> = {
  houlsby: "adapter houlsby = bottleneck(size: 64, activation: gelu)",
  exact: "adapter exact = bottleneck(size: 16, init: zeros)",
  side: "adapter side = parallel(size: 32, scale: 4.0)",
  lora8: "adapter lora8 = lora(rank: 8, alpha: 16)",
  scale: "adapter scale = ia3()",
};

/** The ```adapt examples of the hand-written part (the diagnostics section shows bad ones on purpose). */
function examples(): string[] {
  const handWritten = doc.slice(0, doc.indexOf("<!-- generated:diagnostics -->"));
  return [...handWritten.matchAll(/```adapt\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** The plan an artifact folder of a `use` example would hold: a bottleneck after each layer's output. */
async function trainedArtifact(path: string, opts: Parameters<typeof compileText>[2]) {
  const spec = 'adapter a = bottleneck(size: 8)\ninsert a after "encoder.layer.*.output.dense"\n';
  return { ok: true as const, plan: (await compileText(spec, `${path}.adapt`, opts)).value.plan };
}

describe("specs/LANGUAGE.md", () => {
  it("has current generated sections (run `npx tsx scripts/gen-reference.ts`)", async () => {
    expect(await renderReference(doc)).toBe(doc);
  });

  it("documents every diagnostic code", () => {
    for (const code of ALL_CODES) expect(doc).toContain(`### ${code}:`);
  });

  it("has examples that all compile against a 12-layer d=768 encoder, with IR valid against the schema", async () => {
    const list = examples();
    expect(list.length).toBeGreaterThanOrEqual(9);
    for (const example of list) {
      const declared = new Set(
        parseSpec(example).value.statements.flatMap((s) => (s.kind === "AdapterDecl" ? [s.name.name] : [])),
      );
      const prelude = Object.entries(PRELUDE)
        .filter(([n]) => !declared.has(n))
        .map(([, line]) => line);
      const text = `${example}\n${prelude.join("\n")}\n`;
      const base = { loader: () => ({ ok: true as const, json: bert }), modelOverride: "bert.json" };
      const opts = { ...base, artifacts: (p: string) => trainedArtifact(p, base) };
      const sweep = isSweepText(text) ? await compileSweepText(text, "example.adapt", opts) : null;
      const r = sweep ?? (await compileText(text, "example.adapt", opts));
      const errors = r.diagnostics.filter((d) => d.severity === "error");
      expect(
        errors.map((d) => `${d.code} ${d.message}`),
        example,
      ).toEqual([]);
      const plans = sweep ? sweep.value.points.map((p) => p.plan) : [(r.value as { plan: unknown }).plan];
      expect(plans.length).toBeGreaterThan(0);
      for (const plan of plans) expect(validatePlan(plan)).toEqual([]);
    }
  });
});
