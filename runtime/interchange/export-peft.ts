/**
 * `adapt export --format peft`: an artifact's LoRA (or IA3) operations on an imported BERT as a PEFT
 * folder: `adapter_config.json` (peft_type LORA with r, lora_alpha, the exact target module names, and
 * rank_pattern / alpha_pattern where sites differ; or peft_type IA3) and `adapter_model.safetensors`
 * with PEFT's parameter names (`base_model.model.<module>.lora_A.weight` [r, in], `lora_B.weight`
 * [out, r]; `ia3_l` [out, 1]), which `PeftModel.from_pretrained` loads onto the same `BertModel`.
 * PEFT computes W·x + (alpha/r)·B·A·x, adapt x·W + (alpha/r)·x·A·B: the same numbers, transposed.
 */
import type { StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import type { SurgeryOp } from "../../compiler/ir/types.ts";
import type { ArtifactMeta } from "../artifact/artifact.ts";
import { encodeSafetensors, type F32Tensor } from "../artifact/safetensors.ts";
import { adapterLayerName } from "../surgery/names.ts";
import {
  hfModule,
  noEquivalent,
  peerJson,
  PEFT_CONFIG,
  PEFT_PREFIX,
  PEFT_WEIGHTS,
  reshaped,
  transpose2d,
  type PeerFiles,
} from "./peer.ts";

export { PEFT_CONFIG, PEFT_PREFIX, PEFT_WEIGHTS } from "./peer.ts";

/** Options of {@link exportPeft}. */
export interface PeftExportOptions {
  /** `base_model_name_or_path` (a hub name or a local folder of the base checkpoint). */
  readonly baseModel: string;
  /** The artifact's description file, for diagnostics. */
  readonly file: string;
}

function mostCommon(values: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
}

function loraConfig(ops: readonly SurgeryOp[], baseModel: string): Record<string, unknown> {
  const ranks = ops.map((o) => o.size ?? 1);
  const alphas = ops.map((o) => ("alpha" in o.config ? o.config.alpha : 1));
  const r = mostCommon(ranks);
  const alpha = mostCommon(alphas);
  const dropout = ops.map((o) => ("dropout" in o.config ? o.config.dropout : 0));
  return {
    peft_type: "LORA",
    task_type: null,
    base_model_name_or_path: baseModel,
    inference_mode: true,
    r,
    lora_alpha: alpha,
    lora_dropout: mostCommon(dropout),
    target_modules: ops.map((o) => o.site),
    rank_pattern: Object.fromEntries(ops.flatMap((o, i) => (ranks[i] !== r ? [[o.site, ranks[i]]] : []))),
    alpha_pattern: Object.fromEntries(ops.flatMap((o, i) => (alphas[i] !== alpha ? [[o.site, alphas[i]]] : []))),
    bias: "none",
    fan_in_fan_out: false,
    use_rslora: false,
    use_dora: false,
    init_lora_weights: true,
    modules_to_save: null,
    layers_to_transform: null,
    layers_pattern: null,
    revision: null,
  };
}

function ia3Config(ops: readonly SurgeryOp[], baseModel: string): Record<string, unknown> {
  return {
    peft_type: "IA3",
    task_type: null,
    base_model_name_or_path: baseModel,
    inference_mode: true,
    target_modules: ops.map((o) => o.site),
    feedforward_modules: [],
    fan_in_fan_out: false,
    init_ia3_weights: true,
    modules_to_save: null,
    revision: null,
  };
}

function opTensors(op: SurgeryOp, tensors: ReadonlyMap<string, F32Tensor>): [string, F32Tensor][] | string {
  const get = (suffix: string): F32Tensor | string =>
    tensors.get(`${adapterLayerName(op)}/${suffix}`) ?? `the artifact lacks \`${adapterLayerName(op)}/${suffix}\``;
  const at = `${PEFT_PREFIX}${op.site}`;
  if (op.kind === "ia3") {
    const scale = get("scale");
    return typeof scale === "string" ? scale : [[`${at}.ia3_l`, reshaped(scale, [scale.shape[0]!, 1])]];
  }
  const [a, b] = [get("lora_A"), get("lora_B")];
  if (typeof a === "string") return a;
  if (typeof b === "string") return b;
  return [
    [`${at}.lora_A.weight`, transpose2d(a)],
    [`${at}.lora_B.weight`, transpose2d(b)],
  ];
}

/** The problems that keep an artifact out of PEFT's format (ADAPT958), each a sentence. */
function problems(meta: ArtifactMeta, kind: string): string[] {
  const plan = meta.plan;
  const out: string[] = [];
  const others = plan.operations.filter((o) => o.kind !== kind);
  for (const name of new Set(others.map((o) => `\`${o.adapter}\` (${o.kind})`)))
    out.push(`adapter ${name} is not ${kind === "lora" ? "LoRA" : "IA3"}; one PEFT folder holds one kind`);
  for (const o of plan.operations.filter((op) => hfModule(op.site) === null))
    out.push(`site \`${o.site}\` is not a Linear module of a Hugging Face BERT encoder`);
  const sites = plan.operations.map((o) => o.site);
  for (const s of new Set(sites.filter((s, i) => sites.indexOf(s) !== i)))
    out.push(`\`${s}\` has two adapters; PEFT holds one per module`);
  const trained = plan.weights.filter((w) => w.owner === "base" && w.trainable);
  if (trained.length > 0)
    out.push(
      `the artifact trains ${trained.length} base weight(s) (first \`${trained[0]!.name}\`), which a PEFT ${kind === "lora" ? "LoRA" : "IA3"} folder cannot carry`,
    );
  return out;
}

/**
 * The PEFT folder of an artifact whose operations are all LoRA or all IA3 on BERT encoder modules.
 * ADAPT958 (naming each problem) for anything PEFT cannot represent; the head is left out with a warning.
 */
export function exportPeft(
  meta: ArtifactMeta,
  tensors: ReadonlyMap<string, F32Tensor>,
  options: PeftExportOptions,
): StageResult<PeerFiles | null> {
  const ops = meta.plan.operations;
  const kind = ops[0]?.kind === "ia3" ? "ia3" : "lora";
  const found = ops.length === 0 ? ["the artifact has no adapter operations"] : problems(meta, kind);
  if (found.length > 0)
    return {
      value: null,
      diagnostics: found.map((m) => noEquivalent(m, options.file, "PEFT's LoRA and IA3 on a BertModel are exported")),
    };
  const weights = new Map<string, F32Tensor>();
  for (const op of ops) {
    const t = opTensors(op, tensors);
    if (typeof t === "string") return { value: null, diagnostics: [noEquivalent(t, options.file)] };
    for (const [name, value] of t) weights.set(name, value);
  }
  const config = kind === "lora" ? loraConfig(ops, options.baseModel) : ia3Config(ops, options.baseModel);
  const diagnostics =
    meta.plan.head === null
      ? []
      : [
          {
            ...noEquivalent(
              `the task head (${meta.plan.head.kind}, pool ${meta.plan.head.pool}) is not exported: PEFT's adapter is for the bare BertModel`,
              options.file,
            ),
            severity: "warning" as const,
          },
        ];
  const files = new Map<string, string | Uint8Array>([
    [PEFT_CONFIG, peerJson(config)],
    [PEFT_WEIGHTS, encodeSafetensors(weights, { format: "pt" })],
  ]);
  return { value: files, diagnostics };
}
