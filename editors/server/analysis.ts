/**
 * The server's view of one open document: one run of the compile pipeline (parse, checks, the spec's
 * model when its file exists, resolution), the surgery resolved against the model (for hovers) and
 * every diagnostic. Recomputed on every change; never throws on bad input.
 */
import { fileURLToPath } from "node:url";
import type { Analysis } from "../../compiler/frontend/analyze.ts";
import { sortDiagnostics, type Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import { runPipelineSync } from "../../compiler/compile.ts";
import { modelLoader, modelStatement, type LoadedModel } from "./model.ts";
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
  const name = file ?? uri;
  let model: LoadedModel | null = null;
  let result;
  try {
    result = runPipelineSync(
      { text, file: name, modelOptional: true },
      modelLoader(file, (m) => (model = m)),
    );
  } catch (e) {
    onError(e);
    result = runPipelineSync({ text, file: name, modelOptional: true }, () => ({
      ok: false,
      reason: "it could not be read",
      severity: "warning",
    }));
  }
  const { spec, checked } = result.value;
  const statement = modelStatement(spec);
  if (model === null && statement !== null && statement.path.value !== "")
    modelLoader(file, (m) => (model = m))(statement.path.value);
  const manifest = (model as LoadedModel | null)?.manifest ?? null;
  const place = statement?.path.span;
  const diagnostics = result.diagnostics.map((d) =>
    d.file === name || place === undefined ? d : { ...d, span: place, file: name },
  );
  let sites: SiteSummary[] = [];
  try {
    if (manifest !== null && checked !== null) sites = summarizeSurgery(checked, manifest).value;
  } catch (e) {
    onError(e);
  }
  return { uri, text, file, analysis: { spec, checked }, model, sites, diagnostics: sortDiagnostics(diagnostics) };
}
