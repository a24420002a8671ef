/**
 * The frozen prefix of a compiled plan: the lowest layer k at or above which anything trains (a base
 * weight, an adapter, a LoRA/IA3 site), so that the embeddings and layers 0..k-1 are frozen and
 * unchanged and compute the same activations for an example in every epoch. The runtime caches their
 * output (the hidden state entering layer k) after the first epoch and runs only the layers from k up;
 * `adapt explain` shows the decision. Derived from the IR as it is (operations' layers, the weights'
 * trainability): a pure function, no tfjs.
 */
import type { CompiledPlan } from "../ir/types.ts";
import { layerIndexOf } from "../model/types.ts";

/** The frozen layers 0..k-1 whose output can be cached. */
export interface FrozenPrefix {
  /** k: the first layer that runs every step (layers 0..k-1 and the embeddings are frozen). */
  readonly layers: number;
  /** The encoder's number of layers (k equals it when only the head trains). */
  readonly total: number;
  /** The hidden size d of a cached position, or null when the IR does not say. */
  readonly d: number | null;
}

/** The decision: a prefix to cache, or why there is none. */
export type FrozenPrefixDecision =
  { readonly prefix: FrozenPrefix; readonly reason: null } | { readonly prefix: null; readonly reason: string };

const none = (reason: string): FrozenPrefixDecision => ({ prefix: null, reason });

/**
 * Where the frozen prefix of `plan` ends. None when nothing is numbered in layers, when something
 * trains in the embeddings, in layer 0 or outside the numbered layers (other than the head), or when
 * an adapter sits outside the numbered layers.
 */
export function frozenPrefix(plan: CompiledPlan): FrozenPrefixDecision {
  const indices = plan.weights
    .filter((w) => w.owner === "base")
    .map((w) => layerIndexOf(w.layer))
    .filter((i): i is number => i !== null);
  if (indices.length === 0) return none("the model has no numbered layers");
  const total = Math.max(...indices) + 1;
  let k = total;
  for (const op of plan.operations) {
    if (op.layerIndex === null) return none(`the adapter at \`${op.site}\` is outside the numbered layers`);
    k = Math.min(k, op.layerIndex);
  }
  for (const w of plan.weights) {
    if (!w.trainable || w.owner === "head") continue;
    const i = layerIndexOf(w.layer);
    const where = w.layer.startsWith("embeddings") ? "in the embeddings" : "outside the numbered layers";
    if (i === null) return none(`\`${w.name}\` trains ${where}`);
    k = Math.min(k, i);
  }
  if (k === 0) return none("layer 0 trains");
  return { prefix: { layers: k, total, d: hiddenSize(plan) }, reason: null };
}

function hiddenSize(plan: CompiledPlan): number | null {
  return plan.head?.d ?? plan.operations.find((op) => op.position !== "weight")?.d ?? null;
}

/** How large the cache of a prefix is for a training set, and where it goes. */
export interface FrozenCacheEstimate {
  readonly examples: number;
  /** Tokens per example at most (the plan's `max_length`). */
  readonly maxLength: number;
  readonly d: number;
  /** examples x maxLength x d x 4: an upper bound (each example is cached at its own length). */
  readonly bytes: number;
  /** Where the cache goes: in memory up to the bound, else on disk; off when turned off. */
  readonly placement: "memory" | "disk" | "off";
  /** The memory bound it was decided against (null: off). */
  readonly memoryBytes: number | null;
  /**
   * The validation split's own cache, filled at the first evaluation, in what the training cache leaves
   * of the memory bound; null without a validation split (or when the training split is evaluated, which
   * reads the training cache).
   */
  readonly validation: { readonly examples: number; readonly bytes: number; readonly placement: Placement } | null;
}

type Placement = FrozenCacheEstimate["placement"];

/**
 * The cache's bound for `examples` training examples (and `validationExamples` evaluated ones, if any)
 * with a memory limit of `memoryBytes` (null: off).
 */
export function frozenCacheEstimate(
  prefix: FrozenPrefix,
  examples: number,
  maxLength: number,
  memoryBytes: number | null,
  validationExamples: number | null = null,
): FrozenCacheEstimate | null {
  if (prefix.d === null) return null;
  const perExample = maxLength * prefix.d * 4;
  const place = (bytes: number, bound: number | null): Placement =>
    bound === null ? "off" : bytes <= bound ? "memory" : "disk";
  const bytes = examples * perExample;
  const placement = place(bytes, memoryBytes);
  const left = memoryBytes === null ? null : memoryBytes - (placement === "memory" ? bytes : 0);
  const validation =
    validationExamples === null
      ? null
      : {
          examples: validationExamples,
          bytes: validationExamples * perExample,
          placement: place(validationExamples * perExample, left),
        };
  return { examples, maxLength, d: prefix.d, bytes, placement, memoryBytes, validation };
}

/** `12.3 MB`, `205 MB`, `3 KB` (decimal units, as the explain line reads). */
function megabytes(bytes: number): string {
  const mb = bytes / 1e6;
  if (mb < 0.1) return `${Math.ceil(bytes / 1e3)} KB`;
  return `${mb >= 100 ? Math.round(mb) : mb.toFixed(1)} MB`;
}

/** The explain line of a decision, e.g. `layers 0-3 frozen and unchanged: their outputs are cached after epoch 1 (...)`. */
export function frozenPrefixText(decision: FrozenPrefixDecision, estimate: FrozenCacheEstimate | null): string {
  const p = decision.prefix;
  if (p === null) return `frozen prefix: none (${decision.reason}); every layer runs every step`;
  const range = p.layers === 1 ? "layer 0" : `layers 0-${p.layers - 1}`;
  const which = p.layers === p.total ? "the whole encoder" : range;
  const head = `${which === range ? range : `${which} (${range})`} frozen and unchanged`;
  if (estimate?.placement === "off") return `${head}: run in inference mode every step (the cache is off)`;
  const size =
    estimate === null
      ? ""
      : ` (${estimate.examples.toLocaleString("en-US")} examples x at most ${estimate.maxLength} x ${estimate.d} floats = at most ${megabytes(estimate.bytes)}, ${estimate.placement === "memory" ? "in memory" : `on disk if over the ${megabytes(estimate.memoryBytes ?? 0)} memory bound`})`;
  const v = estimate?.validation;
  const where = v?.placement === "memory" ? "in memory" : "on disk";
  const validation =
    v === null || v === undefined
      ? ""
      : `, and the validation split's at its first evaluation (${v.examples.toLocaleString("en-US")} examples, at most ${megabytes(v.bytes)}, ${where})`;
  return `${head}: their outputs are cached after epoch 1${size}${validation}`;
}
