/**
 * The one conversion of a PyTorch peer's saved adapter folder, without tfjs: a PEFT folder
 * (`adapter_config.json` + `adapter_model.safetensors`, LoRA or IA3) or an AdapterHub `adapters` folder
 * (`adapter_config.json` + `adapter.safetensors`, a serial bottleneck). The peer's config becomes a spec
 * (peer-spec.ts) compiled through the pipeline against the base model's manifest, so its plan is a
 * normal one; the peer's tensors, renamed and transposed by the same peer-spec, must fit the plan's
 * weights exactly. `adapt import` (read-peer.ts), `use` at compile time (the loader in
 * artifact/read-used.ts) and `use` at run time (artifact/used.ts) all go through here. Pickle weights
 * (`.bin`) are refused (ADAPT976): loading them would run code from the file.
 */
import { join } from "node:path";
import {
  diag,
  FILE_START,
  hasErrors,
  type Diagnostic,
  type StageResult,
} from "../../compiler/diagnostics/diagnostic.ts";
import type { CompiledPlan } from "../../compiler/ir/types.ts";
import { parseSafeJson } from "../../compiler/model/safe-json.ts";
import type { ModelManifest } from "../../compiler/model/types.ts";
import { runPipelineSync } from "../../compiler/pipeline.ts";
import { readSafetensorsFile, type F32Tensor } from "../artifact/safetensors.ts";
import { files } from "../io/files.ts";
import { policy, readText, READ_LIMITS } from "../io/read-file.ts";
import { ADAPTERS_WEIGHTS, PEFT_CONFIG, PEFT_WEIGHTS } from "./peer.ts";
import { adaptersPlan, layerCountOf, peftPlan, type BaseFacts, type PeerPlan } from "./peer-spec.ts";

/** The peer libraries a folder can come from. */
export type PeerLibrary = "peft" | "adapters";

/** A peer folder as read: its library, config, tensors and the paths of its two files. */
export interface PeerFolder {
  readonly library: PeerLibrary;
  readonly config: Record<string, unknown>;
  readonly tensors: ReadonlyMap<string, F32Tensor>;
  readonly configFile: string;
  readonly weightsFile: string;
}

/** A peer folder compiled against a base model: the spec written for it, its plan and the peer's weights. */
export interface CompiledPeer {
  readonly spec: string;
  readonly plan: CompiledPlan;
  readonly peer: PeerPlan;
}

const PICKLES: Record<PeerLibrary, [string, string]> = {
  peft: ["adapter_model.bin", "save it with `model.save_pretrained(DIR, safe_serialization=True)`"],
  adapters: ["pytorch_adapter.bin", "save it with `model.save_adapter(DIR, NAME, use_safetensors=True)`"],
};

function unreadable(message: string, file: string): StageResult<null> {
  return { value: null, diagnostics: [{ ...diag("ADAPT959", FILE_START, message), file }] };
}

/** Whether `dir` looks like a peer's folder: it holds `adapter_config.json`. */
export function hasPeerConfig(dir: string): boolean {
  return files().exists(join(dir, PEFT_CONFIG));
}

/** The folder's library (from its config) with the config, or why it is none (ADAPT959). */
function readConfig(dir: string): StageResult<{ library: PeerLibrary; config: Record<string, unknown> } | null> {
  const file = join(dir, PEFT_CONFIG);
  const text = readText(PEFT_CONFIG, policy("smallJson", dir));
  if (!text.ok) return unreadable(`\`${PEFT_CONFIG}\` cannot be read: ${text.reason}`, file);
  const json = parseSafeJson(text.text);
  if (!json.ok || typeof json.value !== "object" || json.value === null || Array.isArray(json.value))
    return unreadable(`\`${PEFT_CONFIG}\` is not a JSON object${json.ok ? "" : `: ${json.reason}`}`, file);
  const config = json.value as Record<string, unknown>;
  if (typeof config["peft_type"] === "string") return { value: { library: "peft", config }, diagnostics: [] };
  if (typeof config["config"] === "object" && config["config"] !== null)
    return { value: { library: "adapters", config }, diagnostics: [] };
  return unreadable(`\`${PEFT_CONFIG}\` is neither PEFT's (no \`peft_type\`) nor \`adapters\`' (no \`config\`)`, file);
}

function readWeights(dir: string, library: PeerLibrary): StageResult<Map<string, F32Tensor> | null> {
  const name = library === "peft" ? PEFT_WEIGHTS : ADAPTERS_WEIGHTS;
  const [pickle, how] = PICKLES[library];
  if (!files().exists(join(dir, name)) && files().exists(join(dir, pickle)))
    return {
      value: null,
      diagnostics: [
        {
          ...diag("ADAPT976", FILE_START, `the weights are a pickle file (\`${pickle}\`), which adapt does not load`, {
            help: `${how}; loading a pickle runs code from the file`,
          }),
          file: join(dir, pickle),
        },
      ],
    };
  const read = readSafetensorsFile(name, { maxBytes: READ_LIMITS.weights, within: dir });
  if (!read.ok) return unreadable(`\`${name}\` cannot be read: ${read.reason}`, join(dir, name));
  const out = new Map<string, F32Tensor>();
  for (const [k, t] of read.tensors) {
    if (t.values === null) return unreadable(`tensor \`${k}\` is ${t.dtype}, not floating point`, join(dir, name));
    out.set(k, { shape: [...t.shape], values: Float32Array.from(t.values) });
  }
  return { value: out, diagnostics: [] };
}

/** Reads the peer folder `dir`: ADAPT959 unreadable or neither library's, ADAPT976 pickle weights. */
export function readPeerFolder(dir: string): StageResult<PeerFolder | null> {
  const read = readConfig(dir);
  if (read.value === null) return { value: null, diagnostics: read.diagnostics };
  const { library, config } = read.value;
  const weights = readWeights(dir, library);
  if (weights.value === null) return { value: null, diagnostics: weights.diagnostics };
  const weightsFile = join(dir, library === "peft" ? PEFT_WEIGHTS : ADAPTERS_WEIGHTS);
  return {
    value: { library, config, tensors: weights.value, configFile: join(dir, PEFT_CONFIG), weightsFile },
    diagnostics: [],
  };
}

/** The base model the peer's config names (PEFT's `base_model_name_or_path`, `adapters`' `model_name`), or null. */
export function peerBaseModel(folder: PeerFolder): string | null {
  const name = folder.config[folder.library === "peft" ? "base_model_name_or_path" : "model_name"];
  return typeof name === "string" && name !== "" ? name : null;
}

/** What the peers' configs are read against, from the model's manifest: Dense paths, layer count, hidden size. */
export function baseFactsOf(manifest: ModelManifest): BaseFacts {
  const dense = manifest.layers.filter((l) => ["Dense", "FrozenDense"].includes(l.className)).map((l) => l.path);
  const hidden = manifest.byPath.get("encoder.layer.0.output.dense")?.kernelShape?.[1] ?? 0;
  return { dense, layers: layerCountOf(dense), hidden };
}

/** The peer's config as adapt statements and its tensors as adapt weights (ADAPT977 for what adapt cannot compute). */
export function peerPlan(folder: PeerFolder, facts: BaseFacts): StageResult<PeerPlan | null> {
  return folder.library === "peft"
    ? peftPlan(folder.config, folder.tensors, facts, folder.configFile)
    : adaptersPlan(folder.config, folder.tensors, facts, folder.configFile);
}

/**
 * ADAPT978 unless every weight of `weights` (names as the peer's plan spells them) has the peer's tensor
 * of its shape and every tensor of the peer belongs to a weight.
 */
export function peerWeightProblems(
  weights: readonly { readonly name: string; readonly shape: readonly number[] }[],
  peer: PeerPlan,
  folder: PeerFolder,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const used = new Set(peer.sources.values());
  const bad = (m: string): number => out.push({ ...diag("ADAPT978", FILE_START, m), file: folder.weightsFile });
  for (const w of weights) {
    const t = peer.weights.get(w.name);
    const from = peer.sources.get(w.name) ?? w.name;
    if (t === undefined) bad(`the peer has no tensor \`${from}\` (for \`${w.name}\`)`);
    else if (t.shape.join(",") !== w.shape.join(","))
      bad(`tensor \`${from}\` gives shape [${t.shape.join(", ")}] but \`${w.name}\` is [${w.shape.join(", ")}]`);
  }
  for (const name of folder.tensors.keys())
    if (!used.has(name)) bad(`tensor \`${name}\` belongs to no module the config adapts`);
  return out;
}

/**
 * Compiles the peer folder against the base model `manifest`: the spec (its `model` line `written`,
 * compiled for `modelPath`, as if it lay in `specFile`), the plan, and the peer's weights, each checked
 * against the plan (ADAPT977, ADAPT978, or the pipeline's own when the model lacks the modules).
 */
export function compilePeer(
  folder: PeerFolder,
  manifest: ModelManifest,
  model: { readonly written: string; readonly path: string },
  specFile: string,
): StageResult<CompiledPeer | null> {
  const planned = peerPlan(folder, baseFactsOf(manifest));
  if (planned.value === null) return { value: null, diagnostics: planned.diagnostics };
  const from = folder.library === "peft" ? "a PEFT" : "an AdapterHub adapters";
  const spec = [`# converted from ${from} folder`, `model "${model.written}"`, ...planned.value.lines, ""].join("\n");
  const compiled = runPipelineSync({ text: spec, file: specFile, modelOverride: model.path }, () => ({
    ok: true,
    manifest,
  }));
  const plan = compiled.value.plan;
  if (plan === null || hasErrors(compiled.diagnostics)) return { value: null, diagnostics: compiled.diagnostics };
  const problems = peerWeightProblems(
    plan.operations.flatMap((op) => op.weights),
    planned.value,
    folder,
  );
  if (problems.length > 0) return { value: null, diagnostics: problems };
  return { value: { spec, plan, peer: planned.value }, diagnostics: compiled.diagnostics };
}
