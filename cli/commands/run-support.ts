/**
 * What `run`, `eval` and `predict` share: compiling a spec for training, bringing up the backend,
 * writing the adapter-only artifact with what inference needs (label names, task, max length), and
 * rebuilding a trained model from an artifact on its base model. Heavy modules load lazily.
 */
import { existsSync, statSync } from "node:fs";
import { Ajv } from "ajv";
import { dirname, join, resolve } from "node:path";
import { hasErrors, diag, FILE_START, type Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import { renderAll } from "../../compiler/diagnostics/render.ts";
import type { CompiledPlan } from "../../compiler/ir/types.ts";
import type { Code } from "../../compiler/diagnostics/codes.ts";
import type { SessionResult } from "../../runtime/train/session.ts";
import { RUN_INFO, type RunInfo } from "../../runtime/artifact/run-info.ts";
import type { TextEncoder } from "../../runtime/tokenize/tokenizer.ts";
import type * as tfType from "@tensorflow/tfjs";
import type { Io } from "../command.ts";
import type { ReadArtifact } from "../../runtime/artifact/files.ts";
import { modelFileLoader, usedArtifactLoader } from "../files.ts";

/** Renders diagnostics on stderr (with their sources, when given). */
export function show(io: Io, diagnostics: readonly Diagnostic[], sources: Map<string, string> = new Map()): void {
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
  const { notASweep } = await import("../../compiler/sweep/compile-sweep.ts");
  const sweep = notASweep(text, file, "run");
  if (sweep !== null) return (show(io, [sweep], new Map([[file, text]])), null);
  const override = model === undefined ? undefined : resolve(io.cwd, model);
  const result = await runPipeline(
    { text, file, modelOverride: override, purpose: "run", artifacts: usedArtifactLoader(dirname(file)) },
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

/** Writes the adapter-only artifact of a finished run, and `run.json`; null (after rendering why) when it fails. */
export async function saveRunArtifact(
  plan: CompiledPlan,
  run: SessionResult,
  io: Io,
): Promise<{ path: string; bytes: number; baseBytes: number | null } | null> {
  const { writeRunFiles } = await import("../../runtime/artifact/run-files.ts");
  const baseModel = resolve(dirname(plan.spec.file), plan.model.path);
  const written = await writeRunFiles(plan, run, baseModel);
  show(io, written.diagnostics);
  if (written.value === null) return null;
  const weights = join(dirname(baseModel), "weights.bin");
  const baseBytes = existsSync(weights) ? statSync(weights).size : null;
  return { path: run.outDir, bytes: written.value.bytes, baseBytes };
}

/** A trained model rebuilt from an artifact, ready for inference. */
export interface Restored {
  readonly model: tfType.LayersModel;
  readonly encoder: TextEncoder;
  readonly plan: CompiledPlan;
  readonly info: RunInfo;
  /** The base model's fingerprint as the artifact records it. */
  readonly base: { readonly structure: string; readonly values: string };
}

const RUN_INFO_SCHEMA = {
  type: "object",
  required: ["labelNames", "task", "maxLength", "metrics", "batch", "baseModel", "text", "textPair", "label"],
  properties: {
    labelNames: { type: "array", items: { type: "string" }, maxItems: 1000000 },
    task: {
      type: "object",
      required: ["kind", "classes"],
      properties: {
        kind: { enum: ["classifier", "regression"] },
        classes: { type: "integer", minimum: 1, maximum: 1000000 },
      },
    },
    maxLength: { type: "integer", minimum: 1, maximum: 1048576 },
    metrics: { type: "array", items: { type: "string" } },
    batch: { type: "integer", minimum: 1, maximum: 1048576 },
    baseModel: { type: "string", minLength: 1 },
    text: { type: "string" },
    textPair: { type: ["string", "null"] },
    label: { type: "string" },
  },
} as const;

/** Reads `run.json` from the artifact folder: contained, bounded, schema-checked; a reason otherwise. */
async function readRunInfo(dir: string): Promise<RunInfo | string> {
  const { policy, readText } = await import("../../runtime/io/read-file.ts");
  const { parseSafeJson } = await import("../../compiler/model/safe-json.ts");
  const read = readText(RUN_INFO, policy("smallJson", dir));
  if (!read.ok) return read.reason;
  const json = parseSafeJson(read.text);
  if (!json.ok) return `it is malformed: ${json.reason}`;
  const validate = new Ajv({ strict: false }).compile(RUN_INFO_SCHEMA);
  if (!validate(json.value))
    return `it is malformed: ${validate.errors?.[0]?.instancePath || "/"} ${validate.errors?.[0]?.message ?? ""}`.trim();
  return json.value as RunInfo;
}

/** An artifact folder read and validated, with its run facts and its base model loaded. */
export interface OpenedArtifact {
  readonly read: ReadArtifact;
  readonly info: RunInfo;
  /** The base model's model.json. */
  readonly basePath: string;
  readonly baseModel: tfType.LayersModel;
}

/**
 * Reads an artifact folder (or a file in it), its `run.json`, and loads its base model (`--model`
 * overrides the one `run.json` names); renders the diagnostics; null on errors.
 */
export async function openArtifact(
  artifact: string,
  modelOverride: string | undefined,
  io: Io,
): Promise<OpenedArtifact | null> {
  const { readArtifact } = await import("../../runtime/artifact/files.ts");
  const { loadLayersModelFile } = await import("../../runtime/io/file-io.ts");
  const dir = existsSync(artifact) && statSync(artifact).isDirectory() ? artifact : dirname(artifact);
  const read = readArtifact(dir);
  show(io, read.diagnostics);
  if (read.value === null) return null;
  const fail = (code: Code, msg: string, file = dir): null => (
    show(io, [{ ...diag(code, FILE_START, msg), file }]),
    null
  );
  const info = await readRunInfo(dir);
  if (typeof info === "string") return fail("ADAPT930", `the run facts cannot be read: ${info}`, join(dir, RUN_INFO));
  const basePath = modelOverride ? resolve(io.cwd, modelOverride) : resolve(dir, info.baseModel);
  try {
    return { read: read.value, info, basePath, baseModel: await loadLayersModelFile(basePath) };
  } catch (e) {
    return fail(
      "ADAPT125",
      `the base model cannot be loaded: ${e instanceof Error ? e.message.split("\n")[0]! : String(e)}`,
      basePath,
    );
  }
}

/**
 * Rebuilds the trained model from an artifact folder (or a file in it) on its base model, through the
 * runtime's one loader (validation, base check, surgery, head, weights).
 */
export async function restoreArtifact(
  artifact: string,
  modelOverride: string | undefined,
  io: Io,
): Promise<Restored | null> {
  const artifacts = await import("../../runtime/artifact/artifact.ts");
  const { loadTokenizer } = await import("../../runtime/tokenize/tokenizer.ts");
  const opened = await openArtifact(artifact, modelOverride, io);
  if (opened === null) return null;
  const { read, info, basePath, baseModel } = opened;
  const tok = loadTokenizer(join(dirname(basePath), "tokenizer.json"));
  show(io, tok.diagnostics);
  if (tok.value === null) {
    baseModel.dispose();
    return null;
  }
  const loaded = await artifacts.loadArtifact(baseModel, read, { head: true, files: read.files });
  baseModel.dispose();
  show(io, loaded.diagnostics);
  if (loaded.value === null) return null;
  const { structure, values } = loaded.value.meta.base;
  return {
    model: loaded.value.model,
    encoder: tok.value,
    plan: loaded.value.meta.plan,
    info,
    base: { structure, values },
  };
}
