/**
 * `adapt merge`: an artifact whose adapters all fold into the base (LoRA; IA3 on linear Dense sites)
 * written as one TensorFlow.js LayersModel folder (model.json + weights.bin, with the head) that needs
 * no adapt code: every Dense is tfjs's own `Dense`, and the few BERT classes stock tfjs lacks come as a
 * self-contained module beside it (standalone-layers.ts). Writes are atomic; nothing is written when
 * any adapter does not merge (ADAPT956, naming each).
 */
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { diag, FILE_START, type Diagnostic, type StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import { ADAPT_LAYER_CLASSES } from "../../compiler/model/known-classes.ts";
import { loadArtifact, type Artifact } from "../artifact/artifact.ts";
import { mergeAdapters, unmergeable, type Unmerged } from "../artifact/merge.ts";
import type { ArtifactFiles } from "../artifact/validate.ts";
import { fileSaveHandler } from "../io/file-io.ts";
import { writeFileAtomic } from "../io/files.ts";
import { COPIED_FILES } from "../import/import-hf.ts";
import { policy, readBytes } from "../io/read-file.ts";
import { attachHead } from "../train/head.ts";
import { derive } from "../train/prng.ts";
import { STANDALONE_CLASSES, STANDALONE_LAYERS_JS, STANDALONE_MODULE } from "./standalone-layers.ts";

/** What a merge wrote. */
export interface MergeSummary {
  readonly outDir: string;
  /** Operations folded into the base. */
  readonly merged: number;
  readonly parameters: number;
  /** The non-stock layer classes the model uses (registered by the module beside it). */
  readonly customClasses: readonly string[];
  readonly files: readonly string[];
}

/** Options of {@link mergeToFolder}. */
export interface MergeOptions {
  /** The artifact's file names, for diagnostics. */
  readonly files?: ArtifactFiles;
  /** Stored in model.json's `userDefinedMetadata.adapt` (labels, max length, source). */
  readonly metadata?: Record<string, unknown>;
  /** The base model's folder, whose tokenizer files are copied beside the merged model. */
  readonly tokenizerFrom?: string;
}

/** Copies the tokenizer files (regular files inside `dir`, within the cap) into `outDir`; returns their names. */
function copyTokenizer(dir: string, outDir: string): string[] {
  const copied: string[] = [];
  for (const f of COPIED_FILES.filter((n) => n !== "config.json")) {
    const bytes = readBytes(f, policy("tokenizer", dir));
    if (!bytes.ok) continue;
    writeFileAtomic(join(outDir, f), bytes.bytes);
    copied.push(f);
  }
  return copied;
}

function refusal(unmerged: readonly Unmerged[], file: string): Diagnostic[] {
  const byAdapter = new Map<string, Unmerged[]>();
  for (const u of unmerged) byAdapter.set(u.op.adapter, [...(byAdapter.get(u.op.adapter) ?? []), u]);
  return [...byAdapter].map(([name, us]) => {
    const first = us[0]!;
    const sites = us.length === 1 ? `\`${first.op.site}\`` : `${us.length} sites (first \`${first.op.site}\`)`;
    return {
      ...diag(
        "ADAPT956",
        FILE_START,
        `adapter \`${name}\` (${first.op.kind}) at ${sites} does not merge into the base model: ${first.why}`,
        {
          help: "only LoRA and IA3 (on a linear Dense) fold into the base weights; serve the others with the artifact",
        },
      ),
      file,
    };
  });
}

function topologyClasses(model: tf.LayersModel): string[] {
  return [...new Set(model.layers.map((l) => l.getClassName()))].sort();
}

/** The merged model with the plan's head (its weights copied from `adapted`). */
function withHead(merged: tf.LayersModel, adapted: tf.LayersModel, artifact: Artifact): tf.LayersModel {
  const plan = artifact.meta.plan;
  if (plan.head === null) return merged;
  const model = attachHead(merged, plan.head, derive(plan.plan?.seed ?? 0, "head", 0));
  const source = new Map(adapted.weights.map((w) => [w.originalName, w]));
  const head = new Set(plan.head.weights.map((w) => w.name));
  for (const w of model.weights) {
    const from = head.has(w.originalName) ? source.get(w.originalName) : undefined;
    if (from !== undefined) w.write(from.read());
  }
  return model;
}

/**
 * Merges `artifact` (trained on `base`) and writes the standalone model into `outDir`. Returns null with
 * ADAPT956 when an adapter does not merge, the loader's diagnostics when the artifact does not fit the
 * base, or ADAPT957 when the folder cannot be written.
 */
export async function mergeToFolder(
  base: tf.LayersModel,
  artifact: Artifact,
  outDir: string,
  options: MergeOptions = {},
): Promise<StageResult<MergeSummary | null>> {
  const plan = artifact.meta.plan;
  const metaFile = options.files?.meta ?? "adapter.json";
  const refused = unmergeable(base, plan);
  if (refused.length > 0) return { value: null, diagnostics: refusal(refused, metaFile) };
  const surgery = { fastFrozenDense: false, noFreeze: true } as const;
  const loaded = await loadArtifact(base, artifact, {
    ...surgery,
    head: true,
    ...(options.files ? { files: options.files } : {}),
  });
  if (loaded.value === null) return { value: null, diagnostics: loaded.diagnostics };
  const adapted = loaded.value.model;
  const merged = mergeAdapters(base, adapted, plan, { ...surgery, seed: artifact.meta.seed });
  if (merged.value === null) {
    adapted.dispose();
    return { value: null, diagnostics: [...loaded.diagnostics, ...merged.diagnostics] };
  }
  const model = withHead(merged.value, adapted, artifact);
  adapted.dispose();
  const classes = topologyClasses(model).filter((c) => ADAPT_LAYER_CLASSES.includes(c));
  const foreign = classes.filter((c) => !STANDALONE_CLASSES.includes(c));
  if (foreign.length > 0) throw new Error(`the merged model still uses adapt's ${foreign.join(", ")}`);
  try {
    if (options.metadata !== undefined) model.setUserDefinedMetadata({ adapt: options.metadata });
    await model.save(fileSaveHandler(outDir));
    const files = ["model.json", "weights.bin"];
    if (classes.length > 0) {
      writeFileAtomic(join(outDir, STANDALONE_MODULE), STANDALONE_LAYERS_JS);
      files.push(STANDALONE_MODULE);
    }
    if (options.tokenizerFrom !== undefined) files.push(...copyTokenizer(options.tokenizerFrom, outDir));
    const value = {
      outDir,
      merged: plan.operations.length,
      parameters: model.countParams(),
      customClasses: classes,
      files,
    };
    return { value, diagnostics: loaded.diagnostics };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return {
      value: null,
      diagnostics: [
        { ...diag("ADAPT957", FILE_START, `the merged model cannot be written: ${message}`), file: outDir },
      ],
    };
  } finally {
    model.dispose();
  }
}
