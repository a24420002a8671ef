/**
 * What the exporters and importers of the Python peers (PEFT, AdapterHub `adapters`) share: the Hugging
 * Face module names of an imported BERT's sites, torch's Linear layout, and a peer folder in memory with
 * its atomic write. An imported BERT's layer paths are the checkpoint's own module names
 * (runtime/import/hf-bert.ts loads `<layer>.weight` into `<layer>`), so a site maps to itself; torch
 * stores a Linear weight as [out, in], the transpose of a tfjs kernel.
 */
import { join } from "node:path";
import { diag, FILE_START, type Diagnostic, type StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import type { F32Tensor } from "../artifact/safetensors.ts";
import { writeFileAtomic } from "../io/files.ts";

/** PEFT's file names. */
export const PEFT_CONFIG = "adapter_config.json";
export const PEFT_WEIGHTS = "adapter_model.safetensors";

/** PEFT's prefix of a `BertModel`'s parameters in a saved adapter. */
export const PEFT_PREFIX = "base_model.model.";

/** `adapters`' file names. */
export const ADAPTERS_CONFIG = "adapter_config.json";
export const ADAPTERS_WEIGHTS = "adapter.safetensors";

/** A BERT encoder module that the peers adapt: the attention projections, the two output denses, the FFN's first dense. */
const BERT_MODULE =
  /^encoder\.layer\.(\d+)\.(attention\.self\.(query|key|value)|attention\.output\.dense|intermediate\.dense|output\.dense)$/;

/** The Hugging Face module name of a site, or null when the site is not a BERT encoder Linear. */
export function hfModule(site: string): string | null {
  return BERT_MODULE.test(site) ? site : null;
}

/** The layer index of an encoder site (`encoder.layer.3.output.dense` -> 3), or null. */
export function hfLayerIndex(site: string): number | null {
  const m = /^encoder\.layer\.(\d+)\./.exec(site);
  return m?.[1] === undefined ? null : Number(m[1]);
}

/** The transpose of a 2-D tensor ([a, b] -> [b, a]): tfjs kernel <-> torch Linear weight. */
export function transpose2d(t: F32Tensor): F32Tensor {
  const [a, b] = t.shape as [number, number];
  const out = new Float32Array(a * b);
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) out[j * a + i] = t.values[i * b + j]!;
  return { shape: [b, a], values: out };
}

/** A tensor with another shape of the same size (e.g. a vector as a column [d, 1]). */
export function reshaped(t: F32Tensor, shape: number[]): F32Tensor {
  return { shape, values: t.values };
}

/** A peer folder in memory: file name to contents. */
export type PeerFiles = ReadonlyMap<string, string | Uint8Array>;

/** Writes every file of `files` into `dir` atomically (the folder is created); ADAPT957 on failure. */
export function writePeerFolder(dir: string, folder: PeerFiles): StageResult<string[] | null> {
  try {
    for (const [name, data] of folder) writeFileAtomic(join(dir, name), data);
    return { value: [...folder.keys()], diagnostics: [] };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return {
      value: null,
      diagnostics: [{ ...diag("ADAPT957", FILE_START, `the folder cannot be written: ${message}`), file: dir }],
    };
  }
}

/** ADAPT958 (the artifact has something the peer's format cannot say), about the artifact's description. */
export function noEquivalent(message: string, file: string, help?: string): Diagnostic {
  return { ...diag("ADAPT958", FILE_START, message, help === undefined ? {} : { help }), file };
}

/**
 * JSON as the peers write it: two-space indent, keys as given, a final newline. The keys in `floats`
 * keep a decimal point on whole numbers (`1.0`), as Python writes floats: `adapters` checks the type.
 */
export function peerJson(value: unknown, floats: readonly string[] = []): string {
  const text = JSON.stringify(value, null, 2);
  const key = floats.map((k) => k.replace(/[^\w]/g, "")).join("|");
  return `${key === "" ? text : text.replace(new RegExp(`("(?:${key})": -?\\d+)(?=,?\n)`, "g"), "$1.0")}\n`;
}
