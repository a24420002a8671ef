/**
 * The one compile pipeline: spec text (`.adapt` or YAML, decided once from the file name) through
 * parse, check, model loading, resolution and lowering, with every stage's diagnostics kept. `check`,
 * `compile`, `explain`, `verify`, `run` and the language server all go through `runPipeline` (or its
 * synchronous twin for callers whose model loader is synchronous). Browser-safe: the caller loads files.
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
import { analyzeText, type Analysis } from "./frontend/analyze.ts";
import type { CheckOptions } from "./frontend/check.ts";
import type { CheckedSpec } from "./frontend/checked.ts";
import { analyzeYamlText, isYamlSpecFile } from "./frontend/yaml-spec.ts";
import type { CompiledPlan, SurgeryOp } from "./ir/types.ts";
import { kindOf } from "./kinds/registry.ts";
import { totals } from "./lower/accounting.ts";
import { lowerHead, lowerSite } from "./lower/lower.ts";
import { sha256 } from "./lower/sha256.ts";
import { readManifest } from "./model/manifest.ts";
import type { ModelManifest } from "./model/types.ts";
import { suggestionBudget } from "./resolve/selector.ts";
import { resolveSites, type Site } from "./resolve/sites.ts";
import { resolveSizes } from "./resolve/sizes.ts";
import { resolveTrainability, type OwnedWeight } from "./resolve/trainability.ts";
import { applyStacks, fusionLayerName, resolveFusions } from "./resolve/compose.ts";
import { resolveUsed, type UsedAdapter, type UsedLoader, type UsedSource } from "./resolve/used.ts";
import { adapterLayerName } from "./lower/accounting.ts";

/** The two spellings of a spec. */
export type SpecFormat = "adapt" | "yaml";

/** A spec file's format, from its name (`.yaml`/`.yml` is YAML, anything else `.adapt`). */
export function specFormat(file: string): SpecFormat {
  return isYamlSpecFile(file) ? "yaml" : "adapt";
}

/** Stages 1-2 (parse, check) in the spec's own format. */
export function analyzeSpec(text: string, file: string, opts: CheckOptions = {}): StageResult<Analysis> {
  return specFormat(file) === "yaml" ? analyzeYamlText(text, file, opts) : analyzeText(text, file, opts);
}

/** What `compileSpec` needs besides the checked spec and the manifest. */
export interface CompileOptions {
  /** The spec file name, recorded in the plan and on diagnostics. */
  readonly file: string;
  /** The spec text, recorded in the plan with its sha256. */
  readonly text: string;
  /** The model path as the plan records it (as written in the spec, or the `--model` override). */
  readonly modelPath: string;
  /** The artifact folders of the spec's `use` statements, by path as written (read by the caller). */
  readonly used?: ReadonlyMap<string, UsedSource>;
}

/** The surgery as resolved against a model: its sites and their lowered operations (parallel arrays). */
export interface ResolvedSurgery {
  readonly sites: readonly Site[];
  readonly operations: readonly SurgeryOp[];
}

/** Stages 3-4: resolves a checked spec against a model and lowers it to the plan; null when there are errors. */
export function compileSpec(
  checked: CheckedSpec,
  manifest: ModelManifest,
  opts: CompileOptions,
): StageResult<CompiledPlan | null> {
  const compiled = compileSurgery(checked, manifest, opts);
  return { value: compiled.value.plan, diagnostics: compiled.diagnostics };
}

/** `compileSpec` that also returns the resolved surgery, which exists even when the plan has errors. */
function compileSurgery(
  checked: CheckedSpec,
  manifest: ModelManifest,
  opts: CompileOptions,
): StageResult<{ plan: CompiledPlan | null; surgery: ResolvedSurgery }> {
  const budget = suggestionBudget();
  const sites = resolveSites(checked, manifest, budget);
  const sizes = resolveSizes(checked, manifest, sites.value);
  const own = sites.value.map((s, i) => lowerSite(s, sizes.value[i] ?? null));
  const surgery = { sites: sites.value, operations: own };
  const fit = siteFit(sites.value, own);
  const used = resolveUsed(checked.uses, manifest, opts.used ?? new Map());
  const stacked = applyStacks(checked.stacks, inSourceOrder(used.value, own));
  const operations = stacked.value;
  const fusions = resolveFusions(checked.fuses, operations);
  const head = lowerHead(checked.head, manifest);
  const headWeights = (head.value?.weights ?? []).map((w) => ({ ...w, layer: "head" }));
  const added = [...ownedWeights(operations), ...fusions.value.flatMap((f) => ownedFusionWeights(f))];
  const weights = resolveTrainability(checked.rules, manifest, added, headWeights, budget);
  const diagnostics = [
    ...sites.diagnostics,
    ...sizes.diagnostics,
    ...fit,
    ...used.diagnostics,
    ...stacked.diagnostics,
    ...fusions.diagnostics,
    ...head.diagnostics,
    ...weights.diagnostics,
  ];
  const tagged = sortDiagnostics(diagnostics.map((d) => ({ ...d, file: d.file ?? opts.file })));
  if (hasErrors(tagged)) return { value: { plan: null, surgery }, diagnostics: tagged };
  const addedParams = [...operations, ...fusions.value].reduce((s, op) => s + op.params, 0);
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
    totals: totals(manifest.params, addedParams, head.value?.params ?? 0, weights.value),
    ...(fusions.value.length > 0 ? { fusions: fusions.value } : {}),
  };
  return { value: { plan, surgery }, diagnostics: tagged };
}

/** Loaded and own operations in the order of their statements (then model order). */
function inSourceOrder(used: readonly UsedAdapter[], own: readonly SurgeryOp[]): SurgeryOp[] {
  const byLine = new Map<number, SurgeryOp[]>();
  const add = (line: number, ops: readonly SurgeryOp[]): void => {
    const group = byLine.get(line);
    if (group === undefined) byLine.set(line, [...ops]);
    else group.push(...ops);
  };
  for (const u of used) add(u.stmt.span.start.line, u.ops);
  for (const op of own) add(op.source.line, [op]);
  return [...byLine.entries()].sort((x, y) => x[0] - y[0]).flatMap(([, ops]) => ops);
}

/** The weights of operations, owned by their added layers, with the name that `train NAME` uses. */
function ownedWeights(ops: readonly SurgeryOp[]): OwnedWeight[] {
  const out: OwnedWeight[] = [];
  for (const op of ops) {
    const layer = adapterLayerName(op.adapter, op.site);
    const group = op.origin?.use ?? op.adapter;
    const loaded = op.origin !== undefined;
    for (const w of op.weights) out.push({ name: w.name, shape: w.shape, layer, group, loaded });
  }
  return out;
}

function ownedFusionWeights(f: {
  fusion: string;
  site: string;
  weights: readonly { name: string; shape: number[] }[];
}) {
  return f.weights.map((w) => ({ ...w, layer: fusionLayerName(f.fusion, f.site), group: f.fusion }));
}

/** ADAPT220 where a kind cannot take a site's sizes (e.g. Compacter's factors must divide d and m), once per statement and sizes. */
function siteFit(sites: readonly Site[], ops: readonly SurgeryOp[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  ops.forEach((op, i) => {
    const site = sites[i]!;
    if (op.size === null && site.adapter.def.sizeArg !== null) return;
    const problem = kindOf(op).siteProblem(op.config, { d: op.d, kernelShape: site.kernelShape }, op.size ?? 0);
    const key = `${site.stmt.span.start.offset}:${op.d}:${op.size}`;
    if (problem === null || seen.has(key)) return;
    seen.add(key);
    out.push(
      diag(
        "ADAPT220",
        site.stmt.selector.span,
        `\`${op.adapter}\` (${op.kind}) cannot go at \`${op.site}\`: ${problem}`,
      ),
    );
  });
  return out;
}

/**
 * A model as a loader found it: its JSON (text or parsed), a manifest the caller already read (an
 * editor's cache), or why it could not be read (`severity: "warning"` where a missing model is no error).
 */
export type ModelSource =
  | { readonly ok: true; readonly json: unknown }
  | { readonly ok: true; readonly manifest: ModelManifest }
  | { readonly ok: false; readonly reason: string; readonly severity?: "warning"; readonly help?: string };

/** Reads the model a spec names; `path` is as written in the spec or given by `modelOverride`. */
export type ModelLoader = (path: string) => ModelSource | Promise<ModelSource>;

/** What the pipeline is asked to do. */
export interface PipelineRequest extends CheckOptions {
  readonly text: string;
  readonly file: string;
  /** Replaces the spec's `model` path (the CLI's `--model`). */
  readonly modelOverride?: string | undefined;
  /** True for `check`: a spec that names no model stops after the model-free stages, without error. */
  readonly modelOptional?: boolean;
  /** Reads the artifact folders of `use` statements (without it, a `use` is ADAPT930). */
  readonly artifacts?: UsedLoader | undefined;
}

/** Everything the pipeline produced, as far as it got. */
export interface CompileOutcome {
  readonly spec: A.Spec;
  readonly checked: CheckedSpec | null;
  readonly manifest: ModelManifest | null;
  readonly modelPath: string | null;
  readonly plan: CompiledPlan | null;
  /** The surgery resolved against the model, when the pipeline got that far (errors or not). */
  readonly surgery: ResolvedSurgery | null;
}

interface Front {
  readonly result: StageResult<CompileOutcome>;
  /** The model to load, or null when the pipeline stops here. */
  readonly modelPath: string | null;
}

function start(req: PipelineRequest): Front {
  const front = analyzeSpec(req.text, req.file, req);
  const { spec, checked } = front.value;
  const result = {
    value: { spec, checked, manifest: null, modelPath: null, plan: null, surgery: null },
    diagnostics: front.diagnostics,
  };
  if (checked === null || hasErrors(front.diagnostics)) return { result, modelPath: null };
  const modelPath = req.modelOverride ?? checked.model?.value ?? null;
  if (modelPath !== null || req.modelOptional === true) return { result, modelPath };
  const d = diag("ADAPT127", FILE_START, "the spec names no model", {
    help: 'add `model "path/to/model.json"` or pass `--model`',
  });
  return { result: { ...result, diagnostics: [...front.diagnostics, { ...d, file: req.file }] }, modelPath: null };
}

/** The manifest of a loaded model, or the diagnostics of why there is none (ADAPT125 at the `model` line). */
function manifestOf(
  req: PipelineRequest,
  front: Front,
  modelPath: string,
  source: ModelSource,
): StageResult<ModelManifest | null> {
  if (!source.ok) {
    const checked = front.result.value.checked!;
    const span = req.modelOverride === undefined && checked.model ? checked.model.span : FILE_START;
    const d = diag("ADAPT125", span, `the model file \`${modelPath}\` cannot be read: ${source.reason}`, {
      severity: source.severity,
      help: source.help,
    });
    return { value: null, diagnostics: [{ ...d, file: req.file }] };
  }
  return "manifest" in source ? { value: source.manifest, diagnostics: [] } : readManifest(source.json, modelPath);
}

function finish(
  req: PipelineRequest,
  front: Front,
  modelPath: string,
  manifest: StageResult<ModelManifest | null>,
  used: ReadonlyMap<string, UsedSource>,
): StageResult<CompileOutcome> {
  const base = { ...front.result.value, modelPath };
  const early = front.result.diagnostics;
  if (manifest.value === null) return { value: base, diagnostics: [...early, ...manifest.diagnostics] };
  const compiled = compileSurgery(base.checked!, manifest.value, { file: req.file, text: req.text, modelPath, used });
  return {
    value: { ...base, manifest: manifest.value, ...compiled.value },
    diagnostics: [...early, ...manifest.diagnostics, ...compiled.diagnostics],
  };
}

/** Parses, checks, loads the model and compiles; each stage runs only when the ones before have no errors. */
export async function runPipeline(req: PipelineRequest, loader: ModelLoader): Promise<StageResult<CompileOutcome>> {
  const front = start(req);
  if (front.modelPath === null) return front.result;
  const manifest = manifestOf(req, front, front.modelPath, await loader(front.modelPath));
  const used = new Map<string, UsedSource>();
  const model = manifest.value === null ? null : { manifest: manifest.value, path: front.modelPath };
  if (model !== null && req.artifacts)
    for (const path of usedPaths(front)) used.set(path, await req.artifacts(path, model));
  return finish(req, front, front.modelPath, manifest, used);
}

function usedPaths(front: Front): string[] {
  return [...new Set((front.result.value.checked?.uses ?? []).map((u) => u.path.value))];
}

/** `runPipeline` for a synchronous loader (the language server's cached one). */
export function runPipelineSync(
  req: PipelineRequest,
  loader: (path: string) => ModelSource,
): StageResult<CompileOutcome> {
  const front = start(req);
  if (front.modelPath === null) return front.result;
  const manifest = manifestOf(req, front, front.modelPath, loader(front.modelPath));
  const used = new Map<string, UsedSource>();
  const model = manifest.value === null ? null : { manifest: manifest.value, path: front.modelPath };
  if (model !== null)
    for (const path of usedPaths(front)) {
      const read = req.artifacts?.(path, model);
      if (read !== undefined && !(read instanceof Promise)) used.set(path, read);
    }
  return finish(req, front, front.modelPath, manifest, used);
}
