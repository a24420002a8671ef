/**
 * `adapt import hf`: a Hugging Face BERT-family checkpoint folder (config.json, model.safetensors,
 * tokenizer.json) to a tfjs LayersModel folder (model.json, weights.bin) whose layer names are the
 * checkpoint's module paths, with the tokenizer files copied beside it.
 */
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import {
  diag,
  FILE_START,
  hasErrors,
  type Diagnostic,
  type StageResult,
} from "../../compiler/diagnostics/diagnostic.ts";
import { buildBert } from "../bert/builder.ts";
import type { BertBuildOptions, BertConfig } from "../bert/config.ts";
import { fileSaveHandler } from "../io/file-io.ts";
import { loadBertWeights } from "./hf-bert.ts";
import { parseBertConfig } from "./hf-config.ts";
import { parseSafetensors, type SafeTensors } from "./safetensors.ts";

/** Files copied beside the imported model when the checkpoint has them (the config, for provenance). */
export const COPIED_FILES = [
  "config.json",
  "tokenizer.json",
  "tokenizer_config.json",
  "special_tokens_map.json",
  "vocab.txt",
] as const;

/** What an import produced. */
export interface ImportSummary {
  readonly config: BertConfig;
  readonly layers: number;
  readonly parameters: number;
  readonly tensorsLoaded: number;
  readonly copied: readonly string[];
  readonly outDir: string;
}

/** A checkpoint read into memory and built into a model, before it is written anywhere. */
export interface LoadedCheckpoint {
  readonly config: BertConfig;
  readonly model: tf.LayersModel;
  readonly tensorsLoaded: number;
}

function readBytes(path: string, diagnostics: Diagnostic[]): Uint8Array | null {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === "ENOENT" ? "it does not exist" : String((e as Error).message);
    diagnostics.push({ ...diag("ADAPT960", FILE_START, `cannot read \`${path}\`: ${reason}`), file: path });
    return null;
  }
}

function readCheckpointFiles(dir: string, diagnostics: Diagnostic[]): [BertConfig, SafeTensors] | null {
  const configPath = join(dir, "config.json");
  const configBytes = readBytes(configPath, diagnostics);
  const weightsPath = join(dir, "model.safetensors");
  const weightBytes = readBytes(weightsPath, diagnostics);
  if (configBytes === null || weightBytes === null) return null;
  const config = parseBertConfig(new TextDecoder().decode(configBytes), configPath);
  diagnostics.push(...config.diagnostics);
  const tensors = parseSafetensors(weightBytes, weightsPath);
  diagnostics.push(...tensors.diagnostics);
  return config.value === null || tensors.value === null ? null : [config.value, tensors.value];
}

/** Reads a checkpoint folder and builds the tfjs model with its weights (nothing is written). */
export function loadHfCheckpoint(dir: string, options: BertBuildOptions = {}): StageResult<LoadedCheckpoint | null> {
  const diagnostics: Diagnostic[] = [];
  const files = readCheckpointFiles(dir, diagnostics);
  if (files === null) return { value: null, diagnostics };
  const [config, tensors] = files;
  const model = buildBert(config, options);
  const loaded = loadBertWeights(model, tensors, join(dir, "model.safetensors"));
  diagnostics.push(...loaded.diagnostics);
  if (hasErrors(diagnostics)) {
    model.dispose();
    return { value: null, diagnostics };
  }
  return { value: { config, model, tensorsLoaded: loaded.value }, diagnostics };
}

function copyTokenizer(dir: string, outDir: string, diagnostics: Diagnostic[]): string[] {
  const copied = COPIED_FILES.filter((f) => existsSync(join(dir, f)));
  for (const f of copied) copyFileSync(join(dir, f), join(outDir, f));
  if (!copied.includes("tokenizer.json")) {
    diagnostics.push({
      ...diag("ADAPT960", FILE_START, "the checkpoint has no `tokenizer.json`, so none is copied beside the model", {
        severity: "warning",
      }),
      file: join(dir, "tokenizer.json"),
    });
  }
  return copied;
}

/** Imports the checkpoint in `dir` into the folder `outDir`. */
export async function importHf(
  dir: string,
  outDir: string,
  options: BertBuildOptions = {},
): Promise<StageResult<ImportSummary | null>> {
  const loaded = loadHfCheckpoint(dir, options);
  const diagnostics = [...loaded.diagnostics];
  if (loaded.value === null) return { value: null, diagnostics };
  const { model, config, tensorsLoaded } = loaded.value;
  try {
    await model.save(fileSaveHandler(outDir));
    const copied = copyTokenizer(dir, outDir, diagnostics);
    const value = {
      config,
      layers: model.layers.length,
      parameters: model.countParams(),
      tensorsLoaded,
      copied,
      outDir,
    };
    return { value, diagnostics };
  } catch (e) {
    diagnostics.push({
      ...diag("ADAPT967", FILE_START, `cannot write the model to \`${outDir}\`: ${(e as Error).message}`),
      file: outDir,
    });
    return { value: null, diagnostics };
  } finally {
    model.dispose();
  }
}
