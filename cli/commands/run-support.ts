/**
 * What `run`, `eval` and `predict` share: compiling a spec for training, bringing up the backend,
 * writing the adapter-only artifact with what inference needs (label names, task, max length), and
 * rebuilding a trained model from an artifact on its base model. Heavy modules load lazily.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { hasErrors, diag, FILE_START, type Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import { renderAll } from "../../compiler/diagnostics/render.ts";
import type { CompiledPlan } from "../../compiler/ir/types.ts";
import type { Code } from "../../compiler/diagnostics/codes.ts";
import type { SessionResult } from "../../runtime/train/session.ts";
import type { TextEncoder } from "../../runtime/tokenize/tokenizer.ts";
import type * as tfType from "@tensorflow/tfjs";
import type { Io } from "../command.ts";
import { modelFileLoader } from "../files.ts";

/** The facts inference needs beyond the weights (`run.json` beside the artifact). */
export interface RunInfo {
  readonly labelNames: string[];
  readonly task: { kind: "classifier" | "regression"; classes: number };
  readonly maxLength: number;
  readonly metrics: string[];
  readonly batch: number;
  /** The base model's model.json, absolute. */
  readonly baseModel: string;
  readonly text: string;
  readonly textPair: string | null;
  readonly label: string;
}

/** The file beside the artifact with the run facts inference needs. */
export const RUN_INFO = "run.json";

function show(io: Io, diagnostics: readonly Diagnostic[], sources: Map<string, string> = new Map()): void {
  io.stderr(renderAll(diagnostics, sources, { color: io.color }));
}

/** Compiles the spec against its model; renders the diagnostics; null when there are errors or no plan. */
export async function compileForRun(
  text: string,
  file: string,
  model: string | undefined,
  io: Io,
): Promise<CompiledPlan | null> {
  const { runPipeline } = await import("../../compiler/compile.ts");
  const override = model === undefined ? undefined : resolve(io.cwd, model);
  const result = await runPipeline(
    { text, file, modelOverride: override, purpose: "run" },
    modelFileLoader(dirname(file)),
  );
  show(io, result.diagnostics, new Map([[file, text]]));
  const plan = result.value.plan;
  if (plan === null || hasErrors(result.diagnostics)) return null;
  if (plan.plan === null) {
    show(
      io,
      [{ ...diag("ADAPT307", FILE_START, "the spec has no `plan` block to train with"), file }],
      new Map([[file, text]]),
    );
    return null;
  }
  return plan;
}

/** Brings up the backend and says which one it took; its name, or null (after rendering why) when none. */
export async function startBackend(preference: string, io: Io): Promise<string | null> {
  const { selectBackend, describeChoice } = await import("../../runtime/backend/select.ts");
  const choice = await selectBackend(preference);
  show(io, choice.diagnostics);
  if (choice.value === undefined) return null;
  io.stderr(`${describeChoice(choice.value).join("\n")}\n`);
  return choice.value.name;
}

/**
 * ADAPT944 when the plan trains an embedding table on wasm: tfjs-backend-wasm 4.22 has no kernel for its
 * gradient (UnsortedSegmentSum), so the run would fail at its first step.
 */
export function backendCannotTrain(plan: CompiledPlan, backend: string, file: string): Diagnostic[] {
  if (backend !== "wasm") return [];
  const tables = plan.weights
    .filter((w) => w.trainable && /(^|\/)embeddings$/.test(w.name))
    .map((w) => `\`${w.name}\``);
  if (tables.length === 0) return [];
  const help =
    'freeze them (`freeze "embeddings.**"`), or use `--backend cpu` or the native backend (`scripts/native-backend`)';
  return [
    {
      ...diag(
        "ADAPT944",
        FILE_START,
        `the wasm backend cannot train embedding tables, and the plan trains ${tables.join(", ")}`,
        { help },
      ),
      file,
    },
  ];
}

/** Writes the adapter-only artifact of a finished run, and `run.json`; null (after rendering why) when it fails. */
export async function saveRunArtifact(
  plan: CompiledPlan,
  run: SessionResult,
  io: Io,
): Promise<{ path: string; bytes: number; baseBytes: number | null } | null> {
  const { encodeArtifact } = await import("../../runtime/artifact/artifact.ts");
  const { writeArtifact } = await import("../../runtime/artifact/files.ts");
  const { atomicWrite } = await import("../../runtime/io/atomic.ts");
  const tp = plan.plan!;
  const baseModel = resolve(dirname(plan.spec.file), plan.model.path);
  const info: RunInfo = {
    labelNames: run.data.labelNames,
    task:
      plan.head?.kind === "regression"
        ? { kind: "regression", classes: 1 }
        : { kind: "classifier", classes: plan.head?.classes ?? 2 },
    maxLength: tp.maxLength,
    metrics: tp.metrics,
    batch: tp.batch,
    baseModel,
    text: tp.data.text,
    textPair: tp.data.textPair,
    label: tp.data.label,
  };
  const artifact = await encodeArtifact(run.model, plan, run.base, run.surgerySeed);
  const written = writeArtifact(run.outDir, artifact);
  show(io, written.diagnostics);
  if (written.value === null) return null;
  const runJson = `${JSON.stringify(info, null, 1)}\n`;
  atomicWrite(join(run.outDir, RUN_INFO), runJson, { mkdir: true });
  const weights = join(dirname(baseModel), "weights.bin");
  const baseBytes = existsSync(weights) ? statSync(weights).size : null;
  const bytes = written.value.weightsBytes + written.value.metaBytes + Buffer.byteLength(runJson);
  return { path: run.outDir, bytes, baseBytes };
}

/** A trained model rebuilt from an artifact, ready for inference. */
export interface Restored {
  readonly model: tfType.LayersModel;
  readonly encoder: TextEncoder;
  readonly plan: CompiledPlan;
  readonly info: RunInfo;
}

/** Rebuilds the trained model from an artifact folder (or a file in it) on its base model. */
export async function loadArtifact(
  artifact: string,
  modelOverride: string | undefined,
  io: Io,
): Promise<Restored | null> {
  const { readArtifact } = await import("../../runtime/artifact/files.ts");
  const { checkBase } = await import("../../runtime/artifact/artifact.ts");
  const { decodeSafetensors } = await import("../../runtime/artifact/safetensors.ts");
  const { buildModel } = await import("../../runtime/train/session.ts");
  const tf = await import("@tensorflow/tfjs");
  const dir = existsSync(artifact) && statSync(artifact).isDirectory() ? artifact : dirname(artifact);
  const read = readArtifact(dir);
  show(io, read.diagnostics);
  if (read.value === null) return null;
  const fail = (code: Code, msg: string, file = dir): null => (
    show(io, [{ ...diag(code, FILE_START, msg), file }]),
    null
  );
  let info: RunInfo;
  try {
    info = JSON.parse(readFileSync(join(dir, RUN_INFO), "utf8")) as RunInfo;
  } catch (e) {
    return fail(
      "ADAPT930",
      `the run facts cannot be read: ${e instanceof Error ? e.message.split("\n")[0]! : String(e)}`,
      join(dir, RUN_INFO),
    );
  }
  const { meta, safetensors } = read.value;
  const base = modelOverride ? resolve(io.cwd, modelOverride) : info.baseModel;
  const built = await buildModel({ ...meta.plan, model: { ...meta.plan.model, path: base } }, dirname(base), meta.seed);
  show(io, built.diagnostics);
  if (built.value === null) return null;
  const wrongBase = checkBase(meta, built.value.base);
  if (wrongBase.length > 0) return (show(io, wrongBase), null);
  const { model, encoder } = built.value;
  const tensors = decodeSafetensors(safetensors).tensors;
  for (const w of model.trainableWeights) {
    const t = tensors.get(w.originalName);
    if (t === undefined) return fail("ADAPT933", `the artifact lacks weight \`${w.originalName}\``);
    if (t.shape.join(",") !== w.shape.join(","))
      return fail(
        "ADAPT934",
        `weight \`${w.originalName}\` has shape [${t.shape.join(", ")}] in the artifact, but [${w.shape.join(", ")}] in the model`,
      );
    w.write(tf.tensor(t.values, [...t.shape], "float32"));
  }
  return { model, encoder, plan: meta.plan, info };
}
