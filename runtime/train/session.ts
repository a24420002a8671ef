/**
 * One `adapt run` from a compiled plan: checks the output folder first, loads and tokenizes the data,
 * loads the base model, applies the surgery and the head, trains, and evaluates the selected weights on
 * the test split. Saving the artifact is the caller's (it gets the trained model back).
 */
import { dirname, join } from "node:path";
import type * as tf from "@tensorflow/tfjs";
import { diag, FILE_START, type Diagnostic, type StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import type { CompiledPlan, TrainingPlanIR } from "../../compiler/ir/types.ts";
import { loadDatasets, specRelative, type Datasets, type TaskShape } from "../data/load.ts";
import { loadLayersModelFile } from "../io/file-io.ts";
import { files } from "../io/files.ts";
import { usedWeights } from "../artifact/used.ts";
import { applySurgery } from "../surgery/apply.ts";
import { fingerprint, type Fingerprint } from "../artifact/fingerprint.ts";
import { loadTokenizer, type TextEncoder } from "../tokenize/tokenizer.ts";
import { takeDeviceError } from "../backend/device.ts";
import { batchPadding, encodeSplit, evaluate, type Evaluation } from "./evaluate.ts";
import { inputRoles, outputsProbabilities } from "./feed.ts";
import { attachHead } from "./head.ts";
import { derive } from "./prng.ts";
import { train, type TrainEvent, type TrainResult } from "./trainer.ts";
import { frozenPrefix } from "../../compiler/lower/frozen-prefix.ts";
import { DEFAULT_FROZEN_CACHE_MEMORY, type FrozenOptions } from "./frozen-cache.ts";

/** What a run needs besides the plan. */
export interface SessionOptions {
  /** The spec's folder: relative paths in the plan start here. */
  readonly specDir: string;
  readonly resume: boolean;
  readonly onEvent?: (e: TrainEvent) => void;
  readonly shouldStop?: () => boolean;
  /** The frozen prefix's cache (compiler/lower/frozen-prefix.ts): on by default, 1 GiB in memory. */
  readonly frozenCache?: { readonly enabled: boolean; readonly memoryBytes: number };
}

/** The outcome of a run. */
export interface SessionResult {
  readonly train: TrainResult;
  readonly model: tf.LayersModel;
  readonly data: Datasets;
  readonly test: Evaluation | null;
  /** Seconds the test evaluation took (0 without a test split). */
  readonly testSeconds: number;
  readonly outDir: string;
  readonly trainable: number;
  /** The base model's fingerprint and the surgery seed (recorded in the artifact). */
  readonly base: Fingerprint;
  readonly surgerySeed: number;
}

/** The task the head defines. */
export function taskOf(plan: CompiledPlan): TaskShape {
  return plan.head?.kind === "regression"
    ? { kind: "regression", classes: 1 }
    : { kind: "classifier", classes: plan.head?.classes ?? 2 };
}

/**
 * Checks before training that the output folder can be created and written and that the disk has room
 * for checkpoints and the artifact (`bytes` estimated by the caller).
 */
export function preflightOutput(outDir: string, bytes: number): Diagnostic | null {
  const fs = files();
  try {
    fs.makeFolder(outDir);
    const probe = join(outDir, `.adapt-probe-${Date.now()}`);
    fs.writeAtomic(probe, "probe");
    fs.remove(probe);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? String(e);
    return {
      ...diag("ADAPT911", FILE_START, `the output folder \`${outDir}\` cannot be written (${why})`, {
        help: "set `output` in the plan to a writable folder",
      }),
    };
  }
  const free = fs.freeBytes(outDir);
  if (free !== null && free < bytes)
    return diag(
      "ADAPT912",
      FILE_START,
      `the output folder's disk has ${free} bytes free but the run needs about ${bytes}`,
    );
  return null;
}

/** The adapted model with its head, its tokenizer, and the base model's fingerprint. */
export interface BuiltModel {
  readonly model: tf.LayersModel;
  readonly encoder: TextEncoder;
  readonly base: Fingerprint;
}

/** The seed of the adapters' initial draws for a plan seed. */
export function surgerySeed(seed: number): number {
  return derive(seed, "adapters", 0);
}

/** The base model with the surgery and head applied, plus its tokenizer. */
export async function buildModel(
  plan: CompiledPlan,
  specDir: string,
  adapterSeed?: number,
): Promise<StageResult<BuiltModel | null>> {
  const modelPath = specRelative(specDir, plan.model.path);
  const tok = loadTokenizer(join(dirname(modelPath), "tokenizer.json"));
  if (tok.value === null) return { value: null, diagnostics: tok.diagnostics };
  let base: tf.LayersModel;
  try {
    base = await loadLayersModelFile(modelPath);
  } catch (e) {
    const msg = `the model \`${plan.model.path}\` cannot be loaded: ${e instanceof Error ? e.message : String(e)}`;
    return { value: null, diagnostics: [{ ...diag("ADAPT125", FILE_START, msg), file: modelPath }] };
  }
  const seed = plan.plan?.seed ?? 0;
  const print = await fingerprint(base);
  const initial = plan.operations.some((op) => op.origin !== undefined)
    ? usedWeights(plan, specDir, { fingerprint: print, modelPath })
    : null;
  if (initial !== null && initial.value === null)
    return (base.dispose(), { value: null, diagnostics: initial.diagnostics });
  const adapted = applySurgery(base, plan, {
    seed: adapterSeed ?? surgerySeed(seed),
    ...(initial?.value ? { initial: initial.value } : {}),
  });
  base.dispose();
  if (adapted.value === null) return { value: null, diagnostics: adapted.diagnostics };
  const model = plan.head ? attachHead(adapted.value, plan.head, derive(seed, "head", 0)) : adapted.value;
  return { value: { model, encoder: tok.value, base: print }, diagnostics: adapted.diagnostics };
}

/** The number of trainable parameters of a model. */
export function trainableCount(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((s, w) => s + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
}

function estimateBytes(model: tf.LayersModel): number {
  return trainableCount(model) * 4 * 6 + (1 << 20);
}

/** Runs the plan end to end. */
export async function runSession(plan: CompiledPlan, opts: SessionOptions): Promise<StageResult<SessionResult | null>> {
  const tp: TrainingPlanIR | null = plan.plan;
  if (tp === null)
    return { value: null, diagnostics: [diag("ADAPT307", FILE_START, "the spec has no `plan` to train with")] };
  const outDir = specRelative(opts.specDir, tp.output);
  const early = preflightOutput(outDir, 1 << 20);
  if (early) return { value: null, diagnostics: [early] };
  files().removeStaleTemps(outDir);
  const task = taskOf(plan);
  const data = await loadDatasets(tp.data, opts.specDir, task);
  if (data.value === null) return { value: null, diagnostics: data.diagnostics };
  const built = await buildModel(plan, opts.specDir);
  if (built.value === null) return { value: null, diagnostics: built.diagnostics };
  const { model, encoder, base } = built.value;
  const space = preflightOutput(outDir, estimateBytes(model));
  if (space) return { value: null, diagnostics: [space] };
  const d = data.value;
  const trainSplit = encodeSplit(encoder, d.train, tp.maxLength);
  const validation = d.validation ? encodeSplit(encoder, d.validation, tp.maxLength) : null;
  const padding = batchPadding(encoder.padId, tp.maxLength);
  const prefix = frozenPrefix(plan).prefix;
  const cache = opts.frozenCache ?? { enabled: true, memoryBytes: DEFAULT_FROZEN_CACHE_MEMORY };
  const frozen: FrozenOptions | null = prefix && {
    layers: prefix.layers,
    cache: cache.enabled,
    memoryBytes: cache.memoryBytes,
  };
  const result = await train({
    model,
    task,
    plan: tp,
    train: trainSplit,
    validation,
    padding,
    outDir,
    resume: opts.resume,
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}),
    ...(frozen ? { frozen } : {}),
  });
  if (result.value === null) return { value: null, diagnostics: result.diagnostics };
  let test: Evaluation | null = null;
  const t0 = performance.now();
  if (result.value.status === "done" && d.test) {
    const roles = inputRoles(model).value!;
    const ctx = { model, roles, task, probabilities: outputsProbabilities(model) };
    test = await evaluate(ctx, encodeSplit(encoder, d.test, tp.maxLength), tp.metrics, tp.batch, padding);
    const fault = takeDeviceError();
    if (fault !== undefined) {
      const msg = `the GPU device reported an error in the test evaluation: ${fault}`;
      return {
        value: null,
        diagnostics: [
          ...result.diagnostics,
          diag("ADAPT945", FILE_START, msg, { help: `the trained weights are in ${result.value.checkpoint}` }),
        ],
      };
    }
  }
  const testSeconds = test === null ? 0 : (performance.now() - t0) / 1000;
  const trainable = trainableCount(model);
  return {
    value: {
      train: result.value,
      model,
      data: d,
      test,
      testSeconds,
      outDir,
      trainable,
      base,
      surgerySeed: surgerySeed(tp.seed),
    },
    diagnostics: result.diagnostics,
  };
}
