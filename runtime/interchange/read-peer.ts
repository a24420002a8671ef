/**
 * A PyTorch peer's saved adapter as an adapt artifact (`adapt import peft|adapters`): a PEFT folder
 * (`adapter_config.json` + `adapter_model.safetensors`, LoRA or IA3) or an AdapterHub `adapters` folder
 * (`adapter_config.json` + `adapter.safetensors`, a serial bottleneck), converted by peer-folder.ts
 * (which `use` goes through too) and applied to the tfjs base model; the peer's tensors fill the adapter
 * weights and the adapted model is encoded as an artifact.
 */
import { basename, dirname, join, relative } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { diag, FILE_START, type StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import { readManifest } from "../../compiler/model/manifest.ts";
import { encodeArtifact, type Artifact } from "../artifact/artifact.ts";
import { fingerprint } from "../artifact/fingerprint.ts";
import { policy, readText } from "../io/read-file.ts";
import { applySurgery } from "../surgery/apply.ts";
import { compilePeer, readPeerFolder, type PeerLibrary } from "./peer-folder.ts";

export type { PeerLibrary } from "./peer-folder.ts";

/** A converted peer adapter: the artifact, the spec it was compiled from, and the library. */
export interface ConvertedPeer {
  readonly artifact: Artifact;
  readonly spec: string;
  readonly library: PeerLibrary;
}

/**
 * Converts the peer adapter folder `dir` into an artifact on the base model `base` (its model.json at
 * `baseModelPath`), through peer-folder.ts's one conversion. The spec is written as if it lay in `dir`.
 * Null with coded diagnostics: ADAPT959 unreadable, ADAPT976 pickle weights, ADAPT977 a config adapt
 * cannot compute, ADAPT978 tensors that do not fit, or the pipeline's own when the base model lacks the
 * modules.
 */
export async function convertPeerAdapter(
  dir: string,
  base: tf.LayersModel,
  baseModelPath: string,
): Promise<StageResult<ConvertedPeer | null>> {
  const folder = readPeerFolder(dir);
  if (folder.value === null) return { value: null, diagnostics: folder.diagnostics };
  const text = readText(basename(baseModelPath), policy("modelJson", dirname(baseModelPath)));
  if (!text.ok) {
    const d = diag("ADAPT125", FILE_START, `the base model cannot be read: ${text.reason}`);
    return { value: null, diagnostics: [{ ...d, file: baseModelPath }] };
  }
  const manifest = readManifest(text.text, baseModelPath);
  if (manifest.value === null) return { value: null, diagnostics: manifest.diagnostics };
  const model = { written: relative(dir, baseModelPath), path: baseModelPath };
  const compiled = compilePeer(folder.value, manifest.value, model, join(dir, "imported.adapt"));
  if (compiled.value === null) return { value: null, diagnostics: compiled.diagnostics };
  const { plan, peer, spec } = compiled.value;
  const surgery = applySurgery(base, plan);
  if (surgery.value === null) return { value: null, diagnostics: surgery.diagnostics };
  const adapted = surgery.value;
  for (const w of adapted.weights) {
    const t = peer.weights.get(w.originalName);
    if (t !== undefined) w.write(tf.tensor(t.values, [...t.shape], "float32"));
  }
  const artifact = await encodeArtifact(adapted, plan, await fingerprint(base));
  adapted.dispose();
  return { value: { artifact, spec, library: folder.value.library }, diagnostics: compiled.diagnostics };
}
