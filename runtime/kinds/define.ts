/**
 * What one adapter kind is, runtime-side: the layer it adds for an operation, how that layer joins the
 * graph at its site, and (where the kind has them) how it merges into the base kernel and what it saves
 * in an artifact. The compiler-side definition (`compiler/kinds/`) says everything else.
 */
import type * as tf from "@tensorflow/tfjs";
import type { AdapterKind, KindConfig, SurgeryOp } from "../../compiler/ir/types.ts";

/** The config of kind `K`. */
export type ConfigOf<K extends AdapterKind> = Extract<KindConfig, { readonly kind: K }>;

/** A layer as surgery handles it. */
export type Layer = tf.layers.Layer;

/**
 * How the layer joins the graph: `output` maps the site's output h (or its input, `before`) to a new
 * one; `beside` reads [x, h] (the site's input and output); `attention` adds rows of keys and values to
 * an attention layer's inputs.
 */
export type Join = "output" | "beside" | "attention";

/** What the layer factory may need from the site. */
export interface LayerContext {
  /** The operation's seed. */
  readonly seed: number;
  /** The site Dense layer's own activation (a `linearSite` kind applies it after its update). */
  readonly siteActivation: string;
}

/** A Dense site's kernel [n_in, n_out] and bias [n_out] (null without one). */
export interface DenseWeights {
  readonly kernel: tf.Tensor;
  readonly bias: tf.Tensor | null;
}

/** One kind, runtime-side. */
export interface RuntimeKind<K extends AdapterKind> {
  readonly name: K;
  readonly join: Join;
  /** True when the site Dense must run linear and the adapter applies its activation (LoRA). */
  readonly linearSite: boolean;
  /** The adapter layer of `op` (named `name`). */
  layer(op: SurgeryOp, config: ConfigOf<K>, name: string, ctx: LayerContext): Layer;
  /** The site's kernel and bias with the adapter folded in, from the adapter's weights (mergeable kinds). */
  merge?(config: ConfigOf<K>, weight: (suffix: string) => tf.Tensor, site: DenseWeights): DenseWeights;
  /** Why the adapter cannot fold into a site with this Dense activation (a sentence), or null. */
  mergeProblem?(siteActivation: string): string | null;
  /** The tensors an artifact saves instead of the training weights (by suffix), from the built layer. */
  artifactTensors?(layer: Layer): Map<string, tf.Tensor>;
}
