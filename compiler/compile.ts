/**
 * The public compile entry: a checked spec plus a model manifest to the compiled plan (IR), and
 * `compileText`, the whole pipeline from spec text (`.adapt` or YAML) with a caller-supplied model
 * loader, used by the CLI, the language server and `adapt explain`. Browser-safe: no file system here.
 */
import type * as A from "../grammar/ast.ts";
import {
  diag,
  FILE_START,
  hasErrors,
  sortDiagnostics,
  type Diagnostic,
  type StageResult,
} from "./diagnostics/diagnostic.ts";
import { analyzeText } from "./frontend/analyze.ts";
import type { CheckOptions } from "./frontend/check.ts";
import type { CheckedSpec } from "./frontend/checked.ts";
import { isYamlSpecFile, analyzeYamlText } from "./frontend/yaml-spec.ts";
import type { CompiledPlan } from "./ir/types.ts";
import { totals } from "./lower/accounting.ts";
import { lowerHead, lowerSite, opWeights } from "./lower/lower.ts";
import { sha256 } from "./lower/sha256.ts";
import { readManifest } from "./model/manifest.ts";
import type { ModelManifest } from "./model/types.ts";
import { resetSuggestionBudget } from "./resolve/selector.ts";
import { resolveSites } from "./resolve/sites.ts";
import { resolveSizes } from "./resolve/sizes.ts";
import { resolveTrainability } from "./resolve/trainability.ts";

export { readManifest } from "./model/manifest.ts";
export type { ModelManifest } from "./model/types.ts";

/** What `compileSpec` needs besides the checked spec and the manifest. */
export interface CompileOptions {
  /** The spec file name, recorded in the plan and on diagnostics. */
  readonly file: string;
  /** The spec text, recorded in the plan with its sha256. */
  readonly text: string;
  /** The model path as the plan records it (as written in the spec, or the `--model` override). */
  readonly modelPath: string;
}

/** Resolves a checked spec against a model and lowers it to the plan; null when there are errors. */
export function compileSpec(
  checked: CheckedSpec,
  manifest: ModelManifest,
  opts: CompileOptions,
): StageResult<CompiledPlan | null> {
  const diagnostics: Diagnostic[] = [];
  resetSuggestionBudget(manifest);
  const sites = resolveSites(checked, manifest);
  const sizes = resolveSizes(checked, manifest, sites.value);
  const operations = sites.value.map((s, i) => lowerSite(s, sizes.value[i] ?? null));
  const head = lowerHead(checked.head, manifest);
  const headWeights = (head.value?.weights ?? []).map((w) => ({ ...w, layer: "head" }));
  const weights = resolveTrainability(checked.rules, manifest, opWeights(operations), headWeights);
  diagnostics.push(...sites.diagnostics, ...sizes.diagnostics, ...head.diagnostics, ...weights.diagnostics);
  const tagged = sortDiagnostics(diagnostics.map((d) => ({ ...d, file: d.file ?? opts.file })));
  if (hasErrors(tagged)) return { value: null, diagnostics: tagged };
  const added = operations.reduce((s, op) => s + op.params, 0);
  const plan: CompiledPlan = {
    version: 1,
    spec: { file: opts.file, sha256: sha256(opts.text), text: opts.text },
    model: {
      path: opts.modelPath,
      className: manifest.className,
      fingerprint: manifest.fingerprint,
      params: manifest.params,
    },
    operations,
    weights: weights.value,
    head: head.value,
    plan: checked.plan,
    totals: totals(manifest.params, added, head.value?.params ?? 0, weights.value),
  };
  return { value: plan, diagnostics: tagged };
}

/** A model file as a loader found it: its JSON (text or parsed), or why it could not be read. */
export type ModelSource =
  { readonly ok: true; readonly json: unknown } | { readonly ok: false; readonly reason: string };

/** Reads the model a spec names; `path` is as written in the spec or given by `modelOverride`. */
export type ModelLoader = (path: string) => ModelSource | Promise<ModelSource>;

/** Options of `compileText`. */
export interface CompileTextOptions extends CheckOptions {
  readonly loader: ModelLoader;
  /** Replaces the spec's `model` path (the CLI's `--model`). */
  readonly modelOverride?: string | undefined;
}

/** Everything the pipeline produced, as far as it got. */
export interface CompileOutcome {
  readonly spec: A.Spec;
  readonly checked: CheckedSpec | null;
  readonly manifest: ModelManifest | null;
  readonly modelPath: string | null;
  readonly plan: CompiledPlan | null;
}

/** Parses, checks, loads the model and compiles; stops at the first stage with errors. */
export async function compileText(
  text: string,
  file: string,
  opts: CompileTextOptions,
): Promise<StageResult<CompileOutcome>> {
  const front = isYamlSpecFile(file) ? analyzeYamlText(text, file, opts) : analyzeText(text, file, opts);
  const { spec, checked } = front.value;
  const base = { spec, checked, manifest: null, modelPath: null, plan: null };
  if (checked === null || hasErrors(front.diagnostics)) return { value: base, diagnostics: front.diagnostics };
  const modelPath = opts.modelOverride ?? checked.model?.value ?? null;
  const span = checked.model?.span ?? FILE_START;
  if (modelPath === null) {
    const d = diag("ADAPT127", FILE_START, "the spec names no model", {
      help: 'add `model "path/to/model.json"` or pass `--model`',
    });
    return { value: base, diagnostics: [...front.diagnostics, { ...d, file }] };
  }
  const source = await opts.loader(modelPath);
  if (!source.ok) {
    const d = diag(
      "ADAPT125",
      opts.modelOverride !== undefined ? FILE_START : span,
      `the model file \`${modelPath}\` cannot be read: ${source.reason}`,
    );
    return { value: { ...base, modelPath }, diagnostics: [...front.diagnostics, { ...d, file }] };
  }
  const manifest = readManifest(source.json, modelPath);
  if (manifest.value === null)
    return { value: { ...base, modelPath }, diagnostics: [...front.diagnostics, ...manifest.diagnostics] };
  const compiled = compileSpec(checked, manifest.value, { file, text, modelPath });
  return {
    value: { ...base, manifest: manifest.value, modelPath, plan: compiled.value },
    diagnostics: [...front.diagnostics, ...compiled.diagnostics],
  };
}

/** What a statement contributes, for editor hovers: its sites and the parameters they add. */
export interface StatementSummary {
  readonly sites: readonly string[];
  readonly params: number;
}

/** The sites and added parameters of the `insert`/`apply` statement on `line` of a compiled plan. */
export function statementSummary(plan: CompiledPlan, line: number): StatementSummary {
  const ops = plan.operations.filter((op) => op.source.line === line);
  return { sites: ops.map((op) => op.site), params: ops.reduce((s, op) => s + op.params, 0) };
}
