/**
 * A training step of a spec (the bundled example by default) set up for step benchmarks: the backend
 * selected, the plan compiled, the model built, the training split encoded and ranked by length, the step
 * context, and the padded batch of `tp.batch` examples at a rank (the longest, the median or the
 * shortest lengths). bench/profile-step and bench/wasm-fusions start from it.
 */
import { dirname, join } from "node:path";
import { compileText } from "../compiler/compile.ts";
import type { TrainingPlanIR } from "../compiler/ir/types.ts";
import { modelFileLoader, readText } from "../cli/files.ts";
import { selectBackend } from "../runtime/backend/select.ts";
import { loadDatasets } from "../runtime/data/load.ts";
import { padBatch, type Batch } from "../runtime/tokenize/batches.ts";
import { batchPadding, encodeSplit } from "../runtime/train/evaluate.ts";
import { inputRoles, outputsProbabilities } from "../runtime/train/feed.ts";
import { Optimizer } from "../runtime/train/optimizer.ts";
import { buildModel, taskOf } from "../runtime/train/session.ts";
import { trainableVariables, type StepContext } from "../runtime/train/step.ts";

/** The bundled example's spec. */
export const EXAMPLE_SPEC = join(import.meta.dirname, "../examples/sentiment/houlsby.adapt");

/** Which batch of the length-ranked training split: the longest examples, the median ones or the shortest. */
export type Pick = "longest" | "median" | "shortest";

/** A spec's training step, ready to run. */
export interface ExampleStep {
  readonly backend: string;
  readonly plan: TrainingPlanIR;
  readonly ctx: StepContext;
  /** The padded batch at rank `pick` (an unknown name takes the longest). */
  batch(pick: string): Batch;
}

/** Sets up a training step of `spec` on `backend` (a name `selectBackend` takes); throws where it cannot. */
export async function exampleStep(backend: string, spec = EXAMPLE_SPEC): Promise<ExampleStep> {
  const chosen = await selectBackend(backend);
  if (chosen.value === undefined) throw new Error(chosen.diagnostics.map((d) => d.message).join("; "));
  const compiled = (
    await compileText(readText(spec, process.cwd()), spec, { loader: modelFileLoader(dirname(spec)), purpose: "run" })
  ).value.plan!;
  const tp = compiled.plan!;
  const built = (await buildModel(compiled, dirname(spec))).value!;
  const data = (await loadDatasets(tp.data, dirname(spec), taskOf(compiled))).value!;
  const split = encodeSplit(built.encoder, data.train, tp.maxLength);
  const ranked = split.lengths
    .map((l, i) => [l, i] as const)
    .sort((a, b) => b[0] - a[0])
    .map(([, i]) => i);
  const vars = trainableVariables(built.model);
  const ctx: StepContext = {
    model: built.model,
    roles: inputRoles(built.model).value!,
    task: taskOf(compiled),
    probabilities: outputsProbabilities(built.model),
    vars,
    optimizer: new Optimizer(tp.optimizer, vars),
    clipNorm: tp.clipNorm,
    seed: tp.seed,
  };
  const starts: Record<Pick, number> = {
    longest: 0,
    median: (ranked.length - tp.batch) >> 1,
    shortest: ranked.length - tp.batch,
  };
  return {
    backend: chosen.value.name,
    plan: tp,
    ctx,
    batch: (pick) => {
      const from = starts[pick as Pick] ?? 0;
      const picked = ranked.slice(from, from + tp.batch);
      return padBatch(split.encoded, split.labels, picked, batchPadding(built.encoder.padId, tp.maxLength));
    },
  };
}
