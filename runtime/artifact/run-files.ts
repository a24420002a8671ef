/**
 * The files a finished run leaves in its output folder besides the log and checkpoints: the adapter-only
 * artifact (`adapter.safetensors`, `adapter.json`) and `run.json` with the facts inference needs. Written
 * through files.ts, so `adapt run` and the playground write the same bytes.
 */
import { join } from "node:path";
import type { StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import type { CompiledPlan } from "../../compiler/ir/types.ts";
import type { SessionResult } from "../train/session.ts";
import { writeFileAtomic } from "../io/files.ts";
import { encodeArtifact } from "./artifact.ts";
import { writeArtifact } from "./files.ts";
import { RUN_INFO, type RunInfo } from "./run-info.ts";

export { RUN_INFO, type RunInfo };

/** The run facts of a compiled plan, with the label names the data gave and the base model's path. */
export function runInfoOf(plan: CompiledPlan, labelNames: string[], baseModel: string): RunInfo {
  const tp = plan.plan!;
  const task =
    plan.head?.kind === "regression"
      ? { kind: "regression" as const, classes: 1 }
      : { kind: "classifier" as const, classes: plan.head?.classes ?? 2 };
  return {
    labelNames,
    task,
    maxLength: tp.maxLength,
    metrics: tp.metrics,
    batch: tp.batch,
    baseModel,
    text: tp.data.text,
    textPair: tp.data.textPair,
    label: tp.data.label,
  };
}

/** Writes the artifact and `run.json` of a finished run into its output folder; the bytes written. */
export async function writeRunFiles(
  plan: CompiledPlan,
  run: SessionResult,
  baseModel: string,
): Promise<StageResult<{ bytes: number } | null>> {
  const artifact = await encodeArtifact(run.model, plan, run.base, run.surgerySeed);
  const written = writeArtifact(run.outDir, artifact);
  if (written.value === null) return { value: null, diagnostics: written.diagnostics };
  const runJson = `${JSON.stringify(runInfoOf(plan, run.data.labelNames, baseModel), null, 1)}\n`;
  writeFileAtomic(join(run.outDir, RUN_INFO), runJson);
  const bytes = written.value.weightsBytes + written.value.metaBytes + new TextEncoder().encode(runJson).byteLength;
  return { value: { bytes }, diagnostics: written.diagnostics };
}
