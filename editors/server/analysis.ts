/**
 * The server's view of one open document: the compiler's parse and checks, the spec's model when its
 * file exists, the surgery resolved against it (for hovers) and the compiler's model-aware diagnostics.
 * A sweep spec gets the diagnostics of all its points, mapped back to its text.
 * Recomputed on every change; never throws on bad input.
 */
import { fileURLToPath } from "node:url";
import { analyzeText, type Analysis } from "../../compiler/frontend/analyze.ts";
import { sortDiagnostics, type Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import { compileSpec } from "../../compiler/compile.ts";
import { loadModel, type LoadedModel } from "./model.ts";
import { isSweepSpec } from "../../compiler/sweep/axes.ts";
import { analyzeSweepText } from "../../compiler/sweep/compile-sweep.ts";
import { summarizeSurgery, type SiteSummary } from "./surgery.ts";

/** Everything the server knows about one document. */
export interface DocumentState {
  readonly uri: string;
  readonly text: string;
  /** The spec's path on disk, or null for unsaved documents. */
  readonly file: string | null;
  readonly analysis: Analysis;
  readonly model: LoadedModel | null;
  /** Sites of the surgery; empty without a usable model or with errors in the spec. */
  readonly sites: readonly SiteSummary[];
  readonly diagnostics: readonly Diagnostic[];
}

/** The file system path of a `file:` URI, or null. */
export function uriToFile(uri: string): string | null {
  if (!uri.startsWith("file:")) return null;
  try {
    return fileURLToPath(uri);
  } catch {
    return null;
  }
}

/** Analyses a document's text; a failure in the model-aware part is passed to `onError` and skipped. */
export function analyzeDocument(
  uri: string,
  text: string,
  onError: (e: unknown) => void = () => undefined,
): DocumentState {
  const file = uriToFile(uri);
  const analyzed = analyzeText(text, file ?? uri);
  const analysis = analyzed.value;
  const diagnostics: Diagnostic[] = [...analyzed.diagnostics];
  let model: LoadedModel | null = null;
  let sites: SiteSummary[] = [];
  const sweep = isSweepSpec(analysis.spec);
  try {
    model = loadModel(analysis.spec, file);
    if (sweep) {
      if (model !== null) diagnostics.splice(0, diagnostics.length, ...model.diagnostics);
      else diagnostics.length = 0;
      diagnostics.push(...analyzeSweepText(text, file ?? uri, model?.manifest ?? null, model?.given ?? ""));
    } else if (model !== null) {
      diagnostics.push(...model.diagnostics);
      if (model.manifest !== null && analysis.checked !== null) {
        sites = summarizeSurgery(analysis.checked, model.manifest).value;
        const compiled = compileSpec(analysis.checked, model.manifest, {
          file: file ?? uri,
          text,
          modelPath: model.given,
        });
        diagnostics.push(...compiled.diagnostics);
      }
    }
  } catch (e) {
    onError(e);
  }
  return { uri, text, file, analysis, model, sites, diagnostics: sortDiagnostics(diagnostics) };
}
