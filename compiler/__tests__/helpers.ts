/**
 * Shared test helpers of the compile stage: fixture manifests and a one-call compile of spec text.
 */
import { readFileSync } from "node:fs";
import { compileSpec } from "../compile.ts";
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import { analyzeText } from "../frontend/analyze.ts";
import type { CompiledPlan } from "../ir/types.ts";
import { readManifest } from "../model/manifest.ts";
import { syntheticEncoder, type EncoderSize } from "../model/synthetic.ts";
import type { ModelManifest } from "../model/types.ts";

/** The folder of the fixtures. */
export const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;

/** A fixture model's manifest (`mlp`, `residual`, `tiny-bert`). */
export function fixtureManifest(name: string): ModelManifest {
  const r = readManifest(readFileSync(`${FIXTURES}${name}/model.json`, "utf8"), `${name}/model.json`);
  if (r.value === null) throw new Error(`fixture ${name}: ${r.diagnostics.map((d) => d.message).join("; ")}`);
  return r.value;
}

/** A generated encoder's manifest. */
export function encoderManifest(size: Partial<EncoderSize> = {}): ModelManifest {
  const full = { layers: 12, d: 768, ff: 3072, vocab: 1000, seq: 128, ...size };
  const r = readManifest(syntheticEncoder(full), "synthetic.json");
  if (r.value === null) throw new Error(r.diagnostics.map((d) => d.message).join("; "));
  return r.value;
}

/** Parses, checks and compiles `text` against `manifest`. */
export function compile(
  text: string,
  manifest: ModelManifest,
): { plan: CompiledPlan | null; diagnostics: Diagnostic[] } {
  const a = analyzeText(text, "spec.adapt");
  if (a.value.checked === null || a.diagnostics.some((d) => d.severity === "error"))
    return { plan: null, diagnostics: [...a.diagnostics] };
  const r = compileSpec(a.value.checked, manifest, { file: "spec.adapt", text, modelPath: manifest.file });
  return { plan: r.value, diagnostics: [...a.diagnostics, ...r.diagnostics] };
}

/** The codes of diagnostics, in order. */
export function codes(ds: readonly Diagnostic[]): string[] {
  return ds.map((d) => d.code);
}
