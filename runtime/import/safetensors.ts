/**
 * Safetensors checkpoints for the Hugging Face import: the shared reader of
 * `runtime/artifact/safetensors.ts` with its errors turned into ADAPT963 diagnostics naming the file.
 */
import { diag, FILE_START, type StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import { readSafetensors, SafetensorsError, type AnyTensor } from "../artifact/safetensors.ts";

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
