/**
 * Adapter artifacts on disk: `adapter.safetensors` and `adapter.json` in one folder, each written
 * atomically (temp file, then rename), and read back bounded and validated.
 */
import { join } from "node:path";
import { diag, FILE_START, type StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import { files as platformFiles } from "../io/files.ts";
import { policy, readBytes, readText } from "../io/read-file.ts";
import type { Artifact } from "./artifact.ts";
import { validateArtifact, type ArtifactFiles, type ValidArtifact } from "./validate.ts";

/** The weights file of an artifact folder. */
export const WEIGHTS_NAME = "adapter.safetensors";
/** The description file of an artifact folder. */
export const META_NAME = "adapter.json";

/** Writes `artifact` into `dir`; returns the bytes written per file, or a coded diagnostic. */
export function writeArtifact(
  dir: string,
  artifact: Artifact,
): StageResult<{ weightsBytes: number; metaBytes: number } | null> {
  try {
    const meta = `${JSON.stringify(artifact.meta, null, 1)}\n`;
    platformFiles().writeAtomic(join(dir, WEIGHTS_NAME), artifact.safetensors);
    platformFiles().writeAtomic(join(dir, META_NAME), meta);
    return {
      value: { weightsBytes: artifact.safetensors.byteLength, metaBytes: new TextEncoder().encode(meta).byteLength },
      diagnostics: [],
    };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return {
      value: null,
      diagnostics: [{ ...diag("ADAPT935", FILE_START, `the adapter cannot be written: ${message}`), file: dir }],
    };
  }
}

/** An artifact read from a folder and validated, with the paths of its two files. */
export interface ReadArtifact extends Artifact {
  readonly tensors: ValidArtifact["tensors"];
  readonly files: ArtifactFiles;
}

/**
 * Reads the artifact in `dir` (its files inside the folder after resolving symlinks, regular files
 * within their caps) and validates it: ADAPT930 unreadable, ADAPT931 malformed, ADAPT936 damaged.
 */
export function readArtifact(dir: string): StageResult<ReadArtifact | null> {
  const files = { meta: join(dir, META_NAME), weights: join(dir, WEIGHTS_NAME) };
  const unreadable = (file: string, why: string): StageResult<null> => ({
    value: null,
    diagnostics: [{ ...diag("ADAPT930", FILE_START, `the adapter cannot be read: ${why}`), file }],
  });
  const text = readText(META_NAME, policy("artifactMeta", dir));
  if (!text.ok) return unreadable(files.meta, text.reason);
  const weights = readBytes(WEIGHTS_NAME, policy("artifactWeights", dir));
  if (!weights.ok) return unreadable(files.weights, weights.reason);
  let meta: unknown;
  try {
    meta = JSON.parse(text.text);
  } catch (e) {
    const why = e instanceof Error ? e.message.split("\n")[0]! : String(e);
    return {
      value: null,
      diagnostics: [
        { ...diag("ADAPT931", FILE_START, `the adapter description is not valid JSON: ${why}`), file: files.meta },
      ],
    };
  }
  const valid = validateArtifact(meta, weights.bytes, files);
  if (valid.value === null) return { value: null, diagnostics: valid.diagnostics };
  return {
    value: { meta: valid.value.meta, safetensors: weights.bytes, tensors: valid.value.tensors, files },
    diagnostics: valid.diagnostics,
  };
}
