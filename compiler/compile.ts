/**
 * The public compile entry points, as thin wrappers over the one pipeline (`pipeline.ts`): `compileText`
 * (spec text, `.adapt` or YAML, with a caller-supplied model loader) and `compileSpec` (a checked spec
 * against a manifest), plus what editors need from a plan. Browser-safe: no file system here.
 */
import type { StageResult } from "./diagnostics/diagnostic.ts";
import type { CheckOptions } from "./frontend/check.ts";
import type { CompiledPlan } from "./ir/types.ts";
import { runPipeline, type CompileOutcome, type ModelLoader } from "./pipeline.ts";
import type { UsedLoader } from "./resolve/used.ts";

export type { UsedLoader, UsedSource } from "./resolve/used.ts";

export { readManifest } from "./model/manifest.ts";
export type { ModelManifest } from "./model/types.ts";
export { analyzeSpec, compileSpec, runPipeline, runPipelineSync, specFormat } from "./pipeline.ts";
export type {
  CompileOptions,
  CompileOutcome,
  ModelLoader,
  ModelSource,
  PipelineRequest,
  ResolvedSurgery,
  SpecFormat,
} from "./pipeline.ts";

/** Options of `compileText`. */
export interface CompileTextOptions extends CheckOptions {
  readonly loader: ModelLoader;
  /** Replaces the spec's `model` path (the CLI's `--model`). */
  readonly modelOverride?: string | undefined;
  /** Reads the artifact folders that `use` statements name. */
  readonly artifacts?: UsedLoader | undefined;
}

/** Parses, checks, loads the model and compiles (`runPipeline` with a model required). */
export async function compileText(
  text: string,
  file: string,
  opts: CompileTextOptions,
): Promise<StageResult<CompileOutcome>> {
  const { loader, ...rest } = opts;
  return runPipeline({ ...rest, text, file }, loader);
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
