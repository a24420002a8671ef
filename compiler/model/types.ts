/**
 * The model manifest: what the compiler knows about a TensorFlow.js LayersModel from its `model.json`
 * alone (topology plus the weights manifest), without weight bytes.
 */

/** A tensor shape; `null` is an unknown dimension (the batch, or a free sequence length). */
export type Shape = readonly (number | null)[];

/** One weight of the base model, from the weights manifest. */
export interface WeightInfo {
  /** The full weight name, e.g. `encoder.layer.3.output.dense/kernel`. */
  readonly name: string;
  /** The path of the layer that owns it. */
  readonly layer: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly params: number;
}

/** One layer of the model. */
export interface LayerInfo {
  /** The layer's name, used as its dotted path. */
  readonly path: string;
  readonly className: string;
  /** Position in the topology (topological order). */
  readonly order: number;
  /** Names of the layers feeding it (its first inbound node). */
  readonly inbound: readonly string[];
  /** Output shape including the batch dimension, or null when it cannot be inferred. */
  readonly outputShape: Shape | null;
  /** The first integer segment of the path, or null. */
  readonly layerIndex: number | null;
  /** Dense-like: the kernel's [n_in, n_out] when the layer has a rank-2 `kernel` weight. */
  readonly kernelShape: readonly [number, number] | null;
  readonly weights: readonly WeightInfo[];
  readonly params: number;
}

/** Everything the compiler needs to know about a model. */
export interface ModelManifest {
  /** The model file as named by the caller (used in diagnostics). */
  readonly file: string;
  /** `Sequential`, `Model` or `Functional`. */
  readonly className: string;
  readonly name: string;
  readonly layers: readonly LayerInfo[];
  readonly byPath: ReadonlyMap<string, LayerInfo>;
  readonly weights: readonly WeightInfo[];
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Layer classes present, for `where type =` suggestions. */
  readonly classes: ReadonlySet<string>;
  /** Distinct layer indices present, ascending. */
  readonly layerIndices: readonly number[];
  readonly params: number;
  /** sha256 over the canonical topology and the weights manifest's names, shapes and dtypes. */
  readonly fingerprint: string;
}

/** The layer index of a path: its first segment that is a non-negative integer, or null. */
export function layerIndexOf(path: string): number | null {
  for (const seg of path.split(".")) {
    if (/^\d+$/.test(seg) && seg.length < 10) return Number(seg);
  }
  return null;
}

/** The product of a shape's dimensions (1 for a scalar). */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
