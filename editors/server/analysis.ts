/**
 * The server's view of one open document: one run of the compile pipeline (parse, checks, the spec's
 * model when its file exists, resolution), the surgery resolved against the model (for hovers) and
 * every diagnostic. A sweep spec gets the diagnostics of all its points, mapped back to its text.
 * Recomputed on every change; never throws on bad input.
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { usedArtifactLoader } from "../../runtime/artifact/read-used.ts";
import type { Analysis } from "../../compiler/frontend/analyze.ts";
import type * as A from "../../grammar/ast.ts";
import { diag, sortDiagnostics, type Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import { readManifest } from "../../compiler/model/manifest.ts";
import type { ModelManifest } from "../../compiler/model/types.ts";
import { runPipelineSync } from "../../compiler/compile.ts";
import { modelLoader, modelStatement, type LoadedModel } from "./model.ts";
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
  const name = file ?? uri;
  let model: LoadedModel | null = null;
  let result;
  try {
    result = runPipelineSync(
      { text, file: name, modelOptional: true, artifacts: file ? usedArtifactLoader(dirname(file)) : undefined },
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
  let diagnostics = result.diagnostics.map((d) =>
    d.file === name || place === undefined ? d : { ...d, span: place, file: name },
  );
  let sites: SiteSummary[] = [];
  try {
    if (isSweepSpec(spec)) {
      const loaded = statement === null ? null : sweepModel(statement, file, name, (m) => (model = m));
      diagnostics = [
        ...(loaded?.diagnostics ?? []),
        ...analyzeSweepText(text, name, loaded?.manifest ?? null, loaded?.given ?? ""),
      ];
    } else if (manifest !== null && checked !== null)
      sites = summarizeSurgery(checked, manifest, result.value.surgery).value;
  } catch (e) {
    onError(e);
  }
  return { uri, text, file, analysis: { spec, checked }, model, sites, diagnostics: sortDiagnostics(diagnostics) };
}

/**
 * A sweep spec's model, read for the sweep's own analysis (the pipeline stops before the model on a sweep),
 * with the problems of reading it placed on the `model` statement.
 */
function sweepModel(
  statement: A.ModelStmt,
  file: string | null,
  name: string,
  seen: (m: LoadedModel) => void,
): { given: string; manifest: ModelManifest | null; diagnostics: Diagnostic[] } | null {
  const given = statement.path.value;
  if (given === "") return null;
  const source = modelLoader(file, seen)(given);
  const place = (d: Diagnostic): Diagnostic => ({ ...d, span: statement.path.span, file: name });
  if (!source.ok) {
    const message = `the model file \`${given}\` cannot be read: ${source.reason}`;
    const d = diag("ADAPT125", statement.path.span, message, { severity: source.severity, help: source.help });
    return { given, manifest: null, diagnostics: [place(d)] };
  }
  if ("manifest" in source) return { given, manifest: source.manifest, diagnostics: [] };
  const read = readManifest(source.json, given);
  return { given, manifest: read.value, diagnostics: read.diagnostics.map(place) };
}
