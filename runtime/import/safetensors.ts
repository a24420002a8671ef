/**
 * Safetensors checkpoints for the Hugging Face import: the shared reader of
 * `runtime/artifact/safetensors.ts` with its errors turned into ADAPT963 diagnostics naming the file.
 */
import { diag, FILE_START, type StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import { readSafetensors, readSafetensorsFile, SafetensorsError, type AnyTensor } from "../artifact/safetensors.ts";
import { READ_LIMITS } from "../io/read-file.ts";

export { halfToFloat } from "../artifact/safetensors.ts";

/** One decoded tensor. `values` is null for dtypes that are not floating point. */
export type SafeTensor = AnyTensor;

/** The tensors of one file by name, in header order. */
export type SafeTensors = ReadonlyMap<string, SafeTensor>;

/** Parses the bytes of a `.safetensors` file named `file` (used in diagnostics). */
export function parseSafetensors(bytes: Uint8Array, file: string): StageResult<SafeTensors | null> {
  try {
    return { value: readSafetensors(bytes).tensors, diagnostics: [] };
  } catch (e) {
    if (!(e instanceof SafetensorsError)) throw e;
    return { value: null, diagnostics: [{ ...diag("ADAPT963", FILE_START, e.message), file }] };
  }
}

/**
 * Reads the `.safetensors` file `name` inside the checkpoint folder `dir` (streaming; contained in the
 * folder; a regular file): ADAPT960 when it cannot be read, ADAPT963 when it is malformed.
 */
export function readSafetensorsIn(dir: string, name: string, file: string): StageResult<SafeTensors | null> {
  const read = readSafetensorsFile(name, { maxBytes: READ_LIMITS.weights, within: dir });
  if (read.ok) return { value: read.tensors, diagnostics: [] };
  const d = read.malformed
    ? diag("ADAPT963", FILE_START, read.reason)
    : diag("ADAPT960", FILE_START, `cannot read \`${file}\`: ${read.reason}`);
  return { value: null, diagnostics: [{ ...d, file }] };
}
