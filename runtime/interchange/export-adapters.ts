/**
 * `adapt export --format adapters`: serial bottleneck adapters on an imported BERT as an AdapterHub
 * `adapters` (1.x) saved adapter: `adapter_config.json` (a bottleneck config and the model facts) and
 * `adapter.safetensors` with its parameter names (`encoder.layer.N.attention.output.adapters.NAME.
 * adapter_down.0.weight` [m, d], `adapter_up.weight` [d, m], and their biases).
 *
 * Equivalence: adapt's `insert A after "encoder.layer.*.attention.output.dense"` (and `.output.dense`)
 * computes y = h + up(act(down(h))) on the dense output h, then the residual add and the LayerNorm.
 * `adapters` computes exactly that with `mh_adapter` (`output_adapter`), `original_ln_before: false`,
 * `original_ln_after: true`, `residual_before_ln: true`, no new layer norms, scaling 1 and no gating: the
 * placement of its Houlsby config (`double_seq_bn`). Its Pfeiffer config (`seq_bn`) has
 * `original_ln_before: true`: the adapter reads LayerNorm(h + x) and the LayerNorm is applied twice, which
 * no adapt placement computes, so the export writes `original_ln_before: false` and names it in the
 * config's place of the preset. Everything else is refused (ADAPT958) with the reason.
 */
import type { StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import type { SurgeryOp } from "../../compiler/ir/types.ts";
import type { ArtifactMeta } from "../artifact/artifact.ts";
import { encodeSafetensors, type F32Tensor } from "../artifact/safetensors.ts";
import { adapterLayerName } from "../surgery/names.ts";
import {
  ADAPTERS_CONFIG,
  ADAPTERS_WEIGHTS,
  hfLayerIndex,
  noEquivalent,
  peerJson,
  transpose2d,
  type PeerFiles,
} from "./peer.ts";

export { ADAPTERS_CONFIG, ADAPTERS_WEIGHTS } from "./peer.ts";

/** The two sites `adapters` places a serial bottleneck at, by its config flag. */
const SITES = { mh_adapter: "attention.output.dense", output_adapter: "output.dense" } as const;

/** Options of {@link exportAdapters}. */
export interface AdaptersExportOptions {
  /** `model_name` (a hub name or the base checkpoint's folder). */
  readonly baseModel: string;
  readonly file: string;
}

/** The bottleneck config `adapters` 1.3 saves (every field, as `save_adapter` writes them). */
export function bnConfig(
  flags: { mh_adapter: boolean; output_adapter: boolean },
  reduction: number | Record<string, number>,
  activation: string,
  leaveOut: number[],
): Record<string, unknown> {
  return {
    adapter_residual_before_ln: false,
    cross_adapter: false,
    dropout: 0.0,
    factorized_phm_W: true,
    factorized_phm_rule: false,
    hypercomplex_nonlinearity: "glorot-uniform",
    init_weights: "bert",
    init_weights_seed: null,
    inv_adapter: null,
    inv_adapter_reduction_factor: null,
    is_parallel: false,
    learn_phm: true,
    leave_out: leaveOut,
    ln_after: false,
    ln_before: false,
    mh_adapter: flags.mh_adapter,
    non_linearity: activation,
    original_ln_after: true,
    original_ln_before: false,
    output_adapter: flags.output_adapter,
    phm_bias: true,
    phm_c_init: "normal",
    phm_dim: 4,
    phm_init_range: 0.0001,
    phm_layer: false,
    phm_rank: 1,
    reduction_factor: reduction,
    residual_before_ln: true,
    scaling: 1.0,
    shared_W_phm: false,
    shared_phm_rule: true,
    stochastic_depth: 0.0,
    use_gating: false,
  };
}

/** The site kind of an op (`mh_adapter` / `output_adapter`), or null where `adapters` has no such place. */
function placeOf(op: SurgeryOp): keyof typeof SITES | null {
  if (op.kind !== "bottleneck" || op.position !== "after") return null;
  const rest = op.site.replace(/^encoder\.layer\.\d+\./, "");
  return rest === SITES.mh_adapter ? "mh_adapter" : rest === SITES.output_adapter ? "output_adapter" : null;
}

/** The number of encoder layers of the base model, from the plan's base weights. */
function layerCount(meta: ArtifactMeta): number {
  const indices = meta.plan.weights.map((w) => hfLayerIndex(w.name)).filter((i): i is number => i !== null);
  return indices.length === 0 ? 0 : Math.max(...indices) + 1;
}

/** `adapters` takes m = int(d // reduction_factor); the factor d/m must give back m exactly. */
function reductionFor(d: number, m: number): number | null {
  const rf = d / m;
  return Math.floor(d / rf) === m && Math.floor((d - (d % rf)) / rf) === m ? rf : null;
}

interface Layout {
  readonly flags: { mh_adapter: boolean; output_adapter: boolean };
  readonly reduction: number | Record<string, number>;
  readonly activation: string;
  readonly leaveOut: number[];
}

function layout(meta: ArtifactMeta, ops: readonly SurgeryOp[], problems: string[]): Layout | null {
  for (const o of ops.filter((op) => placeOf(op) === null))
    problems.push(
      o.kind === "bottleneck"
        ? `\`${o.adapter}\` ${o.position} \`${o.site}\`: \`adapters\` places a serial bottleneck only after \`encoder.layer.N.attention.output.dense\` or \`encoder.layer.N.output.dense\``
        : `adapter \`${o.adapter}\` is ${o.kind}, not a serial bottleneck`,
    );
  const activations = [...new Set(ops.map((o) => ("activation" in o.config ? o.config.activation : "")))];
  if (activations.length > 1) problems.push(`the adapters use different activations (${activations.join(", ")})`);
  const trained = meta.plan.weights.filter((w) => w.owner === "base" && w.trainable);
  if (trained.length > 0)
    problems.push(
      `the artifact trains ${trained.length} base weight(s) (first \`${trained[0]!.name}\`), which an \`adapters\` adapter cannot carry`,
    );
  if (problems.length > 0) return null;
  const flags = {
    mh_adapter: ops.some((o) => placeOf(o) === "mh_adapter"),
    output_adapter: ops.some((o) => placeOf(o) === "output_adapter"),
  };
  const byLayer = new Map<number, SurgeryOp[]>();
  for (const o of ops) byLayer.set(hfLayerIndex(o.site)!, [...(byLayer.get(hfLayerIndex(o.site)!) ?? []), o]);
  const factors: Record<string, number> = {};
  for (const [layer, at] of byLayer) {
    const wanted = (flags.mh_adapter ? 1 : 0) + (flags.output_adapter ? 1 : 0);
    const sizes = [...new Set(at.map((o) => o.size ?? 0))];
    if (at.length !== wanted) problems.push(`layer ${layer} lacks one of the two sites that the other layers have`);
    else if (sizes.length !== 1)
      problems.push(`layer ${layer}'s two adapters have different sizes (${sizes.join(", ")})`);
    else {
      const rf = reductionFor(at[0]!.d, sizes[0]!);
      if (rf === null)
        problems.push(`size ${sizes[0]} at d = ${at[0]!.d} is no reduction factor that \`adapters\` inverts exactly`);
      else factors[String(layer)] = rf;
    }
  }
  if (problems.length > 0) return null;
  const distinct = [...new Set(Object.values(factors))];
  const reduction = distinct.length === 1 ? distinct[0]! : { ...factors, default: distinct[0]! };
  const leaveOut = Array.from({ length: layerCount(meta) }, (_, i) => i).filter((i) => !byLayer.has(i));
  return { flags, reduction, activation: activations[0]!, leaveOut };
}

/** The adapter's name in `adapters`: the adapt adapter's name (joined when several declare the sites). */
function adapterName(ops: readonly SurgeryOp[]): string {
  return [...new Set(ops.map((o) => o.adapter))].join("_");
}

/**
 * The `adapters` folder of an artifact whose operations are serial bottlenecks at the places `adapters`
 * has. ADAPT958 for anything else (each problem named); the head is left out with a warning.
 */
export function exportAdapters(
  meta: ArtifactMeta,
  tensors: ReadonlyMap<string, F32Tensor>,
  options: AdaptersExportOptions,
): StageResult<PeerFiles | null> {
  const ops = meta.plan.operations;
  const problems: string[] = ops.length === 0 ? ["the artifact has no adapter operations"] : [];
  const l = problems.length === 0 ? layout(meta, ops, problems) : null;
  if (l === null)
    return {
      value: null,
      diagnostics: problems.map((m) =>
        noEquivalent(m, options.file, "serial bottleneck adapters on a BertModel are exported"),
      ),
    };
  const name = adapterName(ops);
  const weights = new Map<string, F32Tensor>();
  for (const op of ops) {
    const at = `${op.site.replace(/\.dense$/, "")}.adapters.${name}`;
    const get = (s: string): F32Tensor | undefined => tensors.get(`${adapterLayerName(op)}/${s}`);
    const [dk, db, uk, ub] = [get("down/kernel"), get("down/bias"), get("up/kernel"), get("up/bias")];
    if (dk === undefined || db === undefined || uk === undefined || ub === undefined)
      return {
        value: null,
        diagnostics: [noEquivalent(`the artifact lacks the weights of \`${adapterLayerName(op)}\``, options.file)],
      };
    weights.set(`${at}.adapter_down.0.weight`, transpose2d(dk));
    weights.set(`${at}.adapter_down.0.bias`, db);
    weights.set(`${at}.adapter_up.weight`, transpose2d(uk));
    weights.set(`${at}.adapter_up.bias`, ub);
  }
  const config = {
    config: bnConfig(l.flags, l.reduction, l.activation, l.leaveOut),
    hidden_size: ops[0]!.d,
    model_class: "BertModel",
    model_name: options.baseModel,
    model_type: "bert",
    name,
    version: "adapters.1.3.0",
  };
  const diagnostics =
    meta.plan.head === null
      ? []
      : [
          {
            ...noEquivalent(
              `the task head (${meta.plan.head.kind}, pool ${meta.plan.head.pool}) is not exported: \`adapters\`' heads differ from adapt's`,
              options.file,
            ),
            severity: "warning" as const,
          },
        ];
  const files = new Map<string, string | Uint8Array>([
    [ADAPTERS_CONFIG, peerJson(config, ["scaling", "dropout", "stochastic_depth"])],
    [ADAPTERS_WEIGHTS, encodeSafetensors(weights, { format: "pt" })],
  ]);
  return { value: files, diagnostics };
}
