/**
 * Adapter-only artifacts. `adapter.safetensors` holds only the added weights and the base weights the
 * plan trains; `adapter.json` holds the spec text, the IR, the base model's fingerprint (with its
 * weight manifest, so a wrong base is named exactly) and the sha256 of the weights file. The one loader,
 * {@link loadArtifact}, validates the artifact (validate.ts), checks the fingerprint before anything
 * else (ADAPT932), applies the IR's surgery, attaches the head when asked, and checks every weight's
 * name and shape before writing any value.
 */
import * as tf from "@tensorflow/tfjs";
import { diag, FILE_START, type Diagnostic, type StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import type { CompiledPlan } from "../../compiler/ir/types.ts";
import { artifactPlan } from "../../compiler/lower/artifact-plan.ts";
import { runtimeOf } from "../kinds/index.ts";
import { applySurgery, type SurgeryOptions } from "../surgery/apply.ts";
import { attachHead } from "../train/head.ts";
import { derive } from "../train/prng.ts";
import { adapterLayerName } from "../surgery/names.ts";
import { fingerprint, manifestDifference, type Fingerprint, type ManifestEntry } from "./fingerprint.ts";
import { encodeSafetensors, type F32Tensor } from "./safetensors.ts";
import { ARTIFACT_FORMAT, validateArtifact, weightsChecksum, type ArtifactFiles } from "./validate.ts";

export { ARTIFACT_FORMAT } from "./validate.ts";

/** The descriptive half of an artifact (`adapter.json`). */
export interface ArtifactMeta {
  format: typeof ARTIFACT_FORMAT;
  /** 2 since the weights checksum; 1 (no checksum) is still read, with a warning. */
  version: 1 | 2;
  spec: { file: string; text: string };
  plan: CompiledPlan;
  base: { structure: string; values: string; manifest: ManifestEntry[] };
  /** The saved weights' names, in file order. */
  weights: string[];
  /** The seed surgery used (initial values of weights that are not saved). */
  seed: number;
  /** sha256 (hex) of `adapter.safetensors`. */
  weightsSha256?: string;
}

/** An artifact in memory: the safetensors bytes and the meta object. */
export interface Artifact {
  safetensors: Uint8Array;
  meta: ArtifactMeta;
}

/** The names of the weights an artifact saves: every added weight and every trainable base/head weight. */
export function savedWeightNames(
  plan: Pick<CompiledPlan, "weights" | "operations" | "fusions">,
  model: tf.LayersModel | readonly string[],
): string[] {
  const present = new Set(Array.isArray(model) ? model : (model as tf.LayersModel).weights.map((w) => w.originalName));
  const added = new Set([...plan.operations, ...(plan.fusions ?? [])].flatMap((o) => o.weights.map((w) => w.name)));
  const names = plan.weights.filter((w) => added.has(w.name) || w.trainable).map((w) => w.name);
  for (const n of added) if (!names.includes(n)) names.push(n);
  return names.filter((n) => present.has(n));
}

/** The tensors of the operations whose kinds save something else than their training weights (prefix rows). */
function artifactTensors(adapted: tf.LayersModel, plan: CompiledPlan): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const op of plan.operations) {
    const { kind } = runtimeOf(op);
    if (kind.artifactTensors === undefined) continue;
    const layer = adapted.getLayer(adapterLayerName(op));
    for (const [suffix, t] of kind.artifactTensors(layer)) out.set(`${adapterLayerName(op)}/${suffix}`, t);
  }
  return out;
}

/**
 * Builds the artifact of `adapted` (trained from `base` with `plan`); weights are read asynchronously.
 * The artifact stores `artifactPlan(plan)`: kinds that train through a reparameterisation save its result.
 */
export async function encodeArtifact(
  adapted: tf.LayersModel,
  trained: CompiledPlan,
  base: Fingerprint,
  seed = 0,
): Promise<Artifact> {
  const plan = artifactPlan(trained);
  const byName = new Map(adapted.weights.map((w) => [w.originalName, w.read()]));
  const derived = plan === trained ? new Map<string, tf.Tensor>() : artifactTensors(adapted, trained);
  for (const [name, t] of derived) byName.set(name, t);
  const tensors = new Map<string, F32Tensor>();
  for (const name of savedWeightNames(plan, [...byName.keys()])) {
    const t = byName.get(name);
    if (t !== undefined) tensors.set(name, { shape: t.shape as number[], values: (await t.data()) as Float32Array });
  }
  tf.dispose([...derived.values()]);
  const safetensors = encodeSafetensors(tensors, {
    format: ARTIFACT_FORMAT,
    base_structure: base.structure,
    base_values: base.values,
  });
  const meta: ArtifactMeta = {
    format: ARTIFACT_FORMAT,
    version: 2,
    spec: { file: plan.spec.file, text: plan.spec.text },
    plan,
    base: { structure: base.structure, values: base.values, manifest: base.manifest },
    weights: [...tensors.keys()],
    seed,
    weightsSha256: weightsChecksum(safetensors),
  };
  return { safetensors, meta };
}

function fail(code: "ADAPT931" | "ADAPT932" | "ADAPT933" | "ADAPT934", message: string, file?: string): Diagnostic {
  const d = diag(code, FILE_START, message);
  return file === undefined ? d : { ...d, file };
}

/** Checks that `base` is the model the artifact was trained on; names the first difference. */
export function checkBase(meta: ArtifactMeta, base: Fingerprint): Diagnostic[] {
  if (meta.base.structure !== base.structure) {
    const why =
      manifestDifference(meta.base.manifest, base.manifest) ?? "the base model's weights are in a different order";
    return [fail("ADAPT932", `the adapter was trained on a different base model: ${why}`)];
  }
  if (meta.base.values !== base.values) {
    return [
      fail(
        "ADAPT932",
        "the adapter was trained on a base model with the same weight names and shapes but different weight values",
      ),
    ];
  }
  return [];
}

/** Checks the artifact's weights against the adapted model: names and shapes, both directions. */
function checkWeights(tensors: Map<string, F32Tensor>, meta: ArtifactMeta, model: tf.LayersModel): Diagnostic[] {
  const shapes = new Map(model.weights.map((w) => [w.originalName, w.shape as number[]]));
  const out: Diagnostic[] = [];
  const head = new Set(meta.plan.weights.filter((w) => w.owner === "head").map((w) => w.name));
  for (const [name, t] of tensors) {
    const shape = shapes.get(name);
    if (shape === undefined && head.has(name)) continue;
    if (shape === undefined)
      out.push(fail("ADAPT933", `the artifact has weight \`${name}\`, which the adapted model does not have`));
    else if (shape.join(",") !== t.shape.join(",")) {
      out.push(
        fail(
          "ADAPT934",
          `weight \`${name}\` has shape [${t.shape.join(", ")}] in the artifact, but [${shape.join(", ")}] in the adapted model`,
        ),
      );
    }
  }
  for (const name of savedWeightNames(meta.plan, model)) {
    if (!tensors.has(name)) out.push(fail("ADAPT933", `the artifact lacks weight \`${name}\``));
  }
  return out;
}

/** Options of {@link loadArtifact}: the surgery's, plus whether to attach the plan's head. */
export interface LoadOptions extends SurgeryOptions {
  /** Attach the plan's head (with its saved weights), as inference needs. */
  readonly head?: boolean;
  /** The file names for diagnostics (default: the names in an artifact folder). */
  readonly files?: ArtifactFiles;
}

/** What {@link loadArtifact} gives: the adapted model and the artifact's validated description. */
export interface LoadedModel {
  readonly model: tf.LayersModel;
  readonly meta: ArtifactMeta;
}

/**
 * The one artifact loader: validates the artifact (schema, stored IR, checksum, safetensors), checks
 * that `base` is its base model, applies the surgery (and the head), checks every weight's name and
 * shape, then writes the saved weights. Returns null with diagnostics naming the exact problem.
 */
export async function loadArtifact(
  base: tf.LayersModel,
  artifact: Artifact,
  options: LoadOptions = {},
): Promise<StageResult<LoadedModel | null>> {
  const { head, files, ...surgeryOptions } = options;
  const valid = validateArtifact(
    artifact.meta,
    artifact.safetensors,
    files ?? { meta: "adapter.json", weights: "adapter.safetensors" },
  );
  if (valid.value === null) return { value: null, diagnostics: valid.diagnostics };
  const { meta, tensors } = valid.value;
  const baseDiags = checkBase(meta, await fingerprint(base));
  if (baseDiags.length > 0)
    return {
      value: null,
      diagnostics: [...valid.diagnostics, ...baseDiags.map((d) => ({ ...d, file: files?.meta ?? "adapter.json" }))],
    };
  const surgery = applySurgery(base, meta.plan, { seed: meta.seed, ...surgeryOptions });
  if (surgery.value === null) return { value: null, diagnostics: [...valid.diagnostics, ...surgery.diagnostics] };
  const model =
    head === true && meta.plan.head !== null
      ? attachHead(surgery.value, meta.plan.head, derive(meta.plan.plan?.seed ?? 0, "head", 0))
      : surgery.value;
  const problems = checkWeights(tensors, meta, model);
  if (problems.length > 0) {
    model.dispose();
    return { value: null, diagnostics: [...valid.diagnostics, ...surgery.diagnostics, ...problems] };
  }
  for (const w of model.weights) {
    const t = tensors.get(w.originalName);
    if (t !== undefined) w.write(tf.tensor(t.values, [...t.shape], "float32"));
  }
  return { value: { model, meta }, diagnostics: [...valid.diagnostics, ...surgery.diagnostics] };
}
