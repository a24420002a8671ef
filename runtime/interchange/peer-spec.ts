/**
 * A peer adapter's config read as adapt statements: a PEFT LoRA or IA3 config, or an AdapterHub
 * `adapters` bottleneck config, becomes the `adapter`/`apply`/`insert`/`size` lines of a spec for the
 * base model, plus the peer's tensors renamed and laid out as the adapter weights those lines create.
 * Only what computes the same function is accepted; anything else is ADAPT977 with the field named.
 */
import { diag, FILE_START, type Diagnostic, type StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import { ACTIVATIONS } from "../../compiler/schema/args.ts";
import type { F32Tensor } from "../artifact/safetensors.ts";
import { hfLayerIndex, PEFT_PREFIX, transpose2d } from "./peer.ts";

/** Spec lines (without the `model` line) and the adapter weights they need, by adapt weight name. */
export interface PeerPlan {
  readonly lines: string[];
  readonly weights: Map<string, F32Tensor>;
  /** The peer tensor each adapt weight came from (for diagnostics). */
  readonly sources: Map<string, string>;
}

/** What the base model offers the peers: its Dense layer paths, encoder layer count and hidden size. */
export interface BaseFacts {
  readonly dense: readonly string[];
  readonly layers: number;
  readonly hidden: number;
}

type Config = Record<string, unknown>;

function unsupported(message: string, file: string): Diagnostic {
  return { ...diag("ADAPT977", FILE_START, message), file };
}

/** PEFT's module matching: a string is a full-match regex; a list entry matches a name or a dotted suffix. */
function peftTargets(target: unknown, names: readonly string[]): string[] | null {
  if (typeof target === "string") {
    const re = new RegExp(`^(?:${target})$`);
    return names.filter((n) => re.test(n));
  }
  if (!Array.isArray(target) || !target.every((t) => typeof t === "string")) return null;
  return names.filter((n) => target.some((t: string) => n === t || n.endsWith(`.${t}`)));
}

/** PEFT's pattern lookup (rank_pattern, alpha_pattern): the first key that is a dotted suffix of the module. */
function patternValue(pattern: unknown, site: string, fallback: number): number {
  if (typeof pattern !== "object" || pattern === null) return fallback;
  for (const [key, value] of Object.entries(pattern)) {
    if (typeof value === "number" && new RegExp(`(^|\\.)(?:${key})$`).test(site)) return value;
  }
  return fallback;
}

function refusals(config: Config, checks: [string, unknown, unknown][], file: string): Diagnostic[] {
  return checks
    .filter(([key, ok]) => config[key] !== undefined && config[key] !== null && config[key] !== ok)
    .map(([key, , why]) => unsupported(`\`${key}: ${JSON.stringify(config[key])}\` ${String(why)}`, file));
}

/** A PEFT LoRA or IA3 config and its tensors as adapt statements and weights. */
export function peftPlan(
  config: Config,
  tensors: ReadonlyMap<string, F32Tensor>,
  base: BaseFacts,
  file: string,
): StageResult<PeerPlan | null> {
  const type = config["peft_type"];
  if (type !== "LORA" && type !== "IA3")
    return {
      value: null,
      diagnostics: [unsupported(`PEFT type \`${String(type)}\` has no adapt kind (LORA and IA3 do)`, file)],
    };
  const problems = refusals(
    config,
    [
      ["use_rslora", false, "scales by alpha/sqrt(r); adapt's LoRA scales by alpha/r"],
      ["use_dora", false, "(DoRA) has no adapt kind"],
      ["bias", "none", "trains biases, which a LoRA artifact does not carry"],
      ["fan_in_fan_out", false, "is for Conv1D-style weights, not a BERT's Linear layers"],
      ["modules_to_save", null, "saves whole modules, which an adapter artifact does not carry"],
      ["layers_to_transform", null, "is not read; list the modules in target_modules"],
      ["exclude_modules", null, "is not read; list the modules in target_modules"],
      ["lora_bias", false, "trains a bias on lora_B, which adapt's LoRA has not"],
    ],
    file,
  );
  const ff = config["feedforward_modules"];
  if (type === "IA3" && Array.isArray(ff) && ff.length > 0)
    problems.push(unsupported("IA3 `feedforward_modules` scale a layer's input; adapt's IA3 scales its output", file));
  const sites = peftTargets(config["target_modules"], base.dense);
  if (sites === null || sites.length === 0)
    problems.push(unsupported(`\`target_modules\` matches no Dense layer of the base model`, file));
  if (problems.length > 0 || sites === null) return { value: null, diagnostics: problems };
  return { value: type === "LORA" ? loraLines(config, tensors, sites) : ia3Lines(tensors, sites), diagnostics: [] };
}

function loraLines(config: Config, tensors: ReadonlyMap<string, F32Tensor>, sites: string[]): PeerPlan {
  const r = typeof config["r"] === "number" ? config["r"] : 8;
  const alpha = typeof config["lora_alpha"] === "number" ? config["lora_alpha"] : 8;
  const dropout = typeof config["lora_dropout"] === "number" ? config["lora_dropout"] : 0;
  const groups = new Map<string, string[]>();
  for (const site of sites) {
    const key = `${patternValue(config["rank_pattern"], site, r)},${patternValue(config["alpha_pattern"], site, alpha)}`;
    groups.set(key, [...(groups.get(key) ?? []), site]);
  }
  const lines: string[] = [];
  const weights = new Map<string, F32Tensor>();
  const sources = new Map<string, string>();
  [...groups].forEach(([key, at], i) => {
    const [rank, a] = key.split(",").map(Number);
    const name = groups.size === 1 ? "lora" : `lora_${i + 1}`;
    lines.push(`adapter ${name} = lora(rank: ${rank}, alpha: ${a}, dropout: ${dropout})`);
    for (const site of at) {
      lines.push(`apply ${name} to "${site}"`);
      for (const part of ["lora_A", "lora_B"]) {
        const from = `${PEFT_PREFIX}${site}.${part}.weight`;
        const t = tensors.get(from);
        sources.set(`adapter.${name}.${site}/${part}`, from);
        if (t !== undefined && t.shape.length === 2) weights.set(`adapter.${name}.${site}/${part}`, transpose2d(t));
      }
    }
  });
  return { lines, weights, sources };
}

function ia3Lines(tensors: ReadonlyMap<string, F32Tensor>, sites: string[]): PeerPlan {
  const lines = ["adapter ia3 = ia3()", ...sites.map((s) => `apply ia3 to "${s}"`)];
  const weights = new Map<string, F32Tensor>();
  const sources = new Map<string, string>();
  for (const site of sites) {
    const from = `${PEFT_PREFIX}${site}.ia3_l`;
    const t = tensors.get(from);
    sources.set(`adapter.ia3.${site}/scale`, from);
    if (t !== undefined) weights.set(`adapter.ia3.${site}/scale`, { shape: [t.shape[0] ?? 0], values: t.values });
  }
  return { lines, weights, sources };
}

/** An identifier for an `adapters` adapter name. */
function identifier(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_]/g, "_");
  return /^[A-Za-z_]/.test(id) ? id : `a_${id}`;
}

/** The bottleneck size `adapters` makes for a layer: int(hidden // reduction_factor). */
function sizeAt(reduction: unknown, layer: number, hidden: number): number | null {
  const rf =
    typeof reduction === "number"
      ? reduction
      : typeof reduction === "object" && reduction !== null
        ? ((reduction as Config)[String(layer)] ?? (reduction as Config)["default"])
        : null;
  return typeof rf === "number" && rf > 0 ? Math.floor(hidden / rf) : null;
}

/** An AdapterHub `adapters` saved bottleneck adapter as adapt statements and weights. */
export function adaptersPlan(
  saved: Config,
  tensors: ReadonlyMap<string, F32Tensor>,
  base: BaseFacts,
  file: string,
): StageResult<PeerPlan | null> {
  const config = (typeof saved["config"] === "object" && saved["config"] !== null ? saved["config"] : {}) as Config;
  const act = typeof config["non_linearity"] === "string" ? config["non_linearity"].toLowerCase() : "";
  const problems = refusals(
    config,
    [
      ["architecture", "bottleneck", "is not a bottleneck adapter"],
      ["is_parallel", false, "is a parallel adapter; `adapt import` reads serial ones"],
      [
        "original_ln_before",
        false,
        "(Pfeiffer's seq_bn) feeds the adapter LayerNorm(h + x) and runs the LayerNorm twice, which no adapt placement computes",
      ],
      ["original_ln_after", true, "leaves out the LayerNorm after the adapter, which adapt's placement keeps"],
      ["residual_before_ln", true, "takes the adapter's residual after the LayerNorm"],
      ["ln_before", false, "adds a LayerNorm inside the adapter, which adapt's bottleneck has not"],
      ["ln_after", false, "adds a LayerNorm inside the adapter, which adapt's bottleneck has not"],
      ["use_gating", false, "gates the adapter, which adapt's bottleneck does not"],
      ["phm_layer", false, "uses PHM layers (Compacter), whose weights adapt stores differently"],
      ["inv_adapter", null, "adds invertible adapters on the embeddings, which adapt has not"],
      ["scaling", 1, "scales the adapter's output, which adapt's serial bottleneck does not"],
    ],
    file,
  );
  if (!(ACTIVATIONS as readonly string[]).includes(act))
    problems.push(
      unsupported(
        `\`non_linearity: ${JSON.stringify(config["non_linearity"])}\` is none of adapt's activations (${ACTIVATIONS.join(", ")})`,
        file,
      ),
    );
  const places = [
    ...(config["mh_adapter"] === true ? ["attention.output"] : []),
    ...(config["output_adapter"] === true ? ["output"] : []),
  ];
  if (places.length === 0) problems.push(unsupported("neither `mh_adapter` nor `output_adapter` is set", file));
  if (problems.length > 0) return { value: null, diagnostics: problems };
  const peerName = typeof saved["name"] === "string" ? saved["name"] : "adapter";
  const name = identifier(peerName);
  const leaveOut = new Set(Array.isArray(config["leave_out"]) ? (config["leave_out"] as unknown[]) : []);
  const lines = [`adapter ${name} = bottleneck(activation: ${act}, init: zeros)`];
  const weights = new Map<string, F32Tensor>();
  const sources = new Map<string, string>();
  for (let layer = 0; layer < base.layers; layer++) {
    if (leaveOut.has(layer)) continue;
    const m = sizeAt(config["reduction_factor"], layer, base.hidden);
    if (m === null || m < 1)
      return {
        value: null,
        diagnostics: [unsupported(`\`reduction_factor\` gives no bottleneck size for layer ${layer}`, file)],
      };
    lines.push(`size ${name} = ${m} in layers ${layer}`);
    for (const place of places) {
      const site = `encoder.layer.${layer}.${place}.dense`;
      lines.push(`insert ${name} after "${site}"`);
      const at = `encoder.layer.${layer}.${place}.adapters.${peerName}`;
      const parts: [string, string, boolean][] = [
        ["down/kernel", `${at}.adapter_down.0.weight`, true],
        ["down/bias", `${at}.adapter_down.0.bias`, false],
        ["up/kernel", `${at}.adapter_up.weight`, true],
        ["up/bias", `${at}.adapter_up.bias`, false],
      ];
      for (const [suffix, from, t2] of parts) {
        const t = tensors.get(from);
        sources.set(`adapter.${name}.${site}/${suffix}`, from);
        if (t !== undefined && (!t2 || t.shape.length === 2))
          weights.set(`adapter.${name}.${site}/${suffix}`, t2 ? transpose2d(t) : t);
      }
    }
  }
  return { value: { lines, weights, sources }, diagnostics: [] };
}

/** The encoder layer count and hidden size of a base model, from its Dense layer paths and a site's width. */
export function layerCountOf(dense: readonly string[]): number {
  const indices = dense.map(hfLayerIndex).filter((i): i is number => i !== null);
  return indices.length === 0 ? 0 : Math.max(...indices) + 1;
}
