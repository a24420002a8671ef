/**
 * The one conversion of a PyTorch peer's saved adapter into an adapt artifact: a PEFT folder
 * (`adapter_config.json` + `adapter_model.safetensors`, LoRA or IA3) or an AdapterHub `adapters` folder
 * (`adapter_config.json` + `adapter.safetensors`, a serial bottleneck). The peer's config becomes a
 * spec (peer-spec.ts) compiled through the pipeline against the base model, so the artifact's plan is a
 * normal one; the peer's tensors fill the adapter weights, every name and shape checked. Pickle weights
 * (`.bin`) are refused (ADAPT976): loading them would run code from the file.
 */
import { existsSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import * as tf from "@tensorflow/tfjs";
import {
  diag,
  FILE_START,
  hasErrors,
  type Diagnostic,
  type StageResult,
} from "../../compiler/diagnostics/diagnostic.ts";
import { parseSafeJson } from "../../compiler/model/safe-json.ts";
import { runPipeline } from "../../compiler/pipeline.ts";
import { encodeArtifact, type Artifact } from "../artifact/artifact.ts";
import { fingerprint } from "../artifact/fingerprint.ts";
import { readSafetensorsFile, type F32Tensor } from "../artifact/safetensors.ts";
import { policy, readText, READ_LIMITS } from "../io/read-file.ts";
import { applySurgery } from "../surgery/apply.ts";
import { ADAPTERS_WEIGHTS } from "./export-adapters.ts";
import { PEFT_CONFIG, PEFT_WEIGHTS } from "./export-peft.ts";
import { adaptersPlan, layerCountOf, peftPlan, type BaseFacts, type PeerPlan } from "./peer-spec.ts";

/** The peer libraries a folder can come from. */
export type PeerLibrary = "peft" | "adapters";

/** A converted peer adapter: the artifact, the spec it was compiled from, and the library. */
export interface ConvertedPeer {
  readonly artifact: Artifact;
  readonly spec: string;
  readonly library: PeerLibrary;
}

const PICKLES: Record<PeerLibrary, [string, string]> = {
  peft: ["adapter_model.bin", "save it with `model.save_pretrained(DIR, safe_serialization=True)`"],
  adapters: ["pytorch_adapter.bin", "save it with `model.save_adapter(DIR, NAME, use_safetensors=True)`"],
};

function unreadable(message: string, file: string): StageResult<null> {
  return { value: null, diagnostics: [{ ...diag("ADAPT959", FILE_START, message), file }] };
}

/** The folder's library (from its config and weight files) with the config, or why it is none. */
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
  if (!existsSync(join(dir, name)) && existsSync(join(dir, pickle)))
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

/** The facts the peers' configs are read against: Dense paths, layer count, hidden size. */
function baseFacts(model: tf.LayersModel): BaseFacts {
  const dense = model.layers.filter((l) => ["Dense", "FrozenDense"].includes(l.getClassName())).map((l) => l.name);
  const first = model.layers.find((l) => /^encoder\.layer\.0\.output\.dense$/.test(l.name));
  const hidden = (first?.getConfig()["units"] as number | undefined) ?? 0;
  return { dense, layers: layerCountOf(dense), hidden };
}

/** Every adapter weight of the plan filled from the peer, and every peer tensor used: else ADAPT978. */
function fill(
  adapted: tf.LayersModel,
  plan: PeerPlan,
  tensors: ReadonlyMap<string, F32Tensor>,
  file: string,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const used = new Set(plan.sources.values());
  const bad = (m: string): number => out.push({ ...diag("ADAPT978", FILE_START, m), file });
  for (const w of adapted.weights.filter((v) => v.originalName.startsWith("adapter."))) {
    const t = plan.weights.get(w.originalName);
    const from = plan.sources.get(w.originalName) ?? w.originalName;
    if (t === undefined) bad(`the peer has no tensor \`${from}\` (for \`${w.originalName}\`)`);
    else if (t.shape.join(",") !== w.shape.join(","))
      bad(
        `tensor \`${from}\` gives shape [${t.shape.join(", ")}] but \`${w.originalName}\` is [${w.shape.join(", ")}]`,
      );
  }
  for (const name of tensors.keys())
    if (!used.has(name)) bad(`tensor \`${name}\` belongs to no module the config adapts`);
  return out;
}

/**
 * Converts the peer adapter folder `dir` into an artifact on the base model `base` (its model.json at
 * `baseModelPath`). The spec is written as if it lay in `dir`. Null with coded diagnostics: ADAPT959
 * unreadable, ADAPT976 pickle weights, ADAPT977 a config adapt cannot compute, ADAPT978 tensors that do
 * not fit, or the pipeline's own when the base model lacks the modules.
 */
export async function convertPeerAdapter(
  dir: string,
  base: tf.LayersModel,
  baseModelPath: string,
): Promise<StageResult<ConvertedPeer | null>> {
  const read = readConfig(dir);
  if (read.value === null) return { value: null, diagnostics: read.diagnostics };
  const { library, config } = read.value;
  const weights = readWeights(dir, library);
  if (weights.value === null) return { value: null, diagnostics: weights.diagnostics };
  const file = join(dir, PEFT_CONFIG);
  const facts = baseFacts(base);
  const planned =
    library === "peft"
      ? peftPlan(config, weights.value, facts, file)
      : adaptersPlan(config, weights.value, facts, file);
  if (planned.value === null) return { value: null, diagnostics: planned.diagnostics };
  const specFile = join(dir, "imported.adapt");
  const spec = [
    `# imported from ${library === "peft" ? "a PEFT" : "an AdapterHub adapters"} folder by adapt import ${library}`,
    `model "${relative(dir, baseModelPath)}"`,
    ...planned.value.lines,
    "",
  ].join("\n");
  const compiled = await runPipeline({ text: spec, file: specFile, modelOverride: baseModelPath }, () => {
    const text = readText(basename(baseModelPath), policy("modelJson", dirname(baseModelPath)));
    return text.ok ? { ok: true, json: text.text } : { ok: false, reason: text.reason };
  });
  const plan = compiled.value.plan;
  if (plan === null || hasErrors(compiled.diagnostics)) return { value: null, diagnostics: compiled.diagnostics };
  const surgery = applySurgery(base, plan);
  if (surgery.value === null) return { value: null, diagnostics: surgery.diagnostics };
  const adapted = surgery.value;
  const problems = fill(
    adapted,
    planned.value,
    weights.value,
    join(dir, library === "peft" ? PEFT_WEIGHTS : ADAPTERS_WEIGHTS),
  );
  if (problems.length > 0) {
    adapted.dispose();
    return { value: null, diagnostics: problems };
  }
  for (const w of adapted.weights) {
    const t = planned.value.weights.get(w.originalName);
    if (t !== undefined) w.write(tf.tensor(t.values, [...t.shape], "float32"));
  }
  const artifact = await encodeArtifact(adapted, plan, await fingerprint(base));
  adapted.dispose();
  return { value: { artifact, spec, library }, diagnostics: compiled.diagnostics };
}
