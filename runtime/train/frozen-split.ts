/**
 * A model cut where its frozen prefix ends (the compiler's `frozenPrefix`: layers 0..k-1 and the
 * embeddings train nothing): the prefix runs in inference mode (its dropout is off, as it is frozen) and
 * yields the one hidden state `[batch, length, d]` that everything above reads; the upper part runs from
 * that hidden state and the model's inputs (the attention mask). Both parts call each layer as tfjs's
 * own executor does (`layer.apply(inputs, {training})` in topological order), so no layer computes
 * anything else than it would inside `model.apply`; each output is freed after its last reader.
 */
import * as tf from "@tensorflow/tfjs";
import { layerIndexOf } from "../../compiler/model/types.ts";
import { releaseShapeOnlySaves, tapeLength } from "./backprop.ts";

type Sym = tf.SymbolicTensor;

interface GraphNode {
  readonly outboundLayer: tf.layers.Layer;
  readonly inputTensors: Sym[];
  readonly outputTensors: Sym[];
}

/** A model split at the entry of layer k. */
export interface PrefixSplit {
  /** k: the first layer of the upper part. */
  readonly layers: number;
  /** The hidden size of the boundary. */
  readonly d: number;
  /** The prefix in inference mode on the model's inputs: the hidden state entering layer k. */
  prefix(feed: readonly tf.Tensor[]): tf.Tensor;
  /** The upper part (layers k.. and the head) on that hidden state and the model's inputs. */
  upper(feed: readonly tf.Tensor[], hidden: tf.Tensor, training: boolean): tf.Tensor;
}

/** The model's layer calls in topological order (input layers left out). */
function nodesInOrder(model: tf.LayersModel): GraphNode[] {
  const byDepth = (model as unknown as { nodesByDepth?: Record<string, GraphNode[]> }).nodesByDepth;
  if (byDepth === undefined) return [];
  return Object.keys(byDepth)
    .map(Number)
    .sort((a, b) => b - a)
    .flatMap((depth) => byDepth[String(depth)] ?? [])
    .filter((n) => n.outboundLayer.getClassName() !== "InputLayer");
}

/** The layer calls below layer k: those of layers numbered below k and everything they read. */
function prefixNodes(nodes: readonly GraphNode[], k: number): Set<GraphNode> {
  const producer = new Map<number, GraphNode>();
  for (const n of nodes) for (const t of n.outputTensors) producer.set(t.id, n);
  const prefix = new Set<GraphNode>();
  const visit = (n: GraphNode): void => {
    if (prefix.has(n)) return;
    prefix.add(n);
    for (const t of n.inputTensors) {
      const p = producer.get(t.id);
      if (p !== undefined) visit(p);
    }
  };
  for (const n of nodes) {
    const i = layerIndexOf(n.outboundLayer.name);
    if (i !== null && i < k) visit(n);
  }
  return prefix;
}

/**
 * Runs layer calls on the values known so far (symbolic tensor id to value), adding their outputs and
 * disposing each one after its last reader among `nodes` unless `keep` holds its id (forward.ts).
 */
function run(
  nodes: readonly GraphNode[],
  values: Map<number, tf.Tensor>,
  training: boolean,
  keep: ReadonlySet<number>,
): void {
  const readers = new Map<number, number>();
  for (const node of nodes)
    for (const id of new Set(node.inputTensors.map((t) => t.id))) readers.set(id, (readers.get(id) ?? 0) + 1);
  let seen = tapeLength();
  for (const node of nodes) {
    const inputs = node.inputTensors.map((t) => values.get(t.id)!);
    const out = node.outboundLayer.apply(inputs, { training }) as tf.Tensor | tf.Tensor[];
    const list = Array.isArray(out) ? out : [out];
    node.outputTensors.forEach((t, i) => values.set(t.id, list[i]!));
    seen = releaseShapeOnlySaves(seen);
    for (const id of new Set(node.inputTensors.map((t) => t.id))) {
      const left = readers.get(id)! - 1;
      readers.set(id, left);
      if (left === 0 && !keep.has(id)) values.get(id)!.dispose();
    }
  }
}

/**
 * Splits `model` at the entry of layer k, or says why it cannot: the prefix must hold no trainable
 * weight and no layer numbered k or above, and hand exactly one `[batch, length, d]` tensor up.
 */
export function splitAt(
  model: tf.LayersModel,
  k: number,
): { split: PrefixSplit; reason: null } | { split: null; reason: string } {
  if (model.outputs.length !== 1) return { split: null, reason: "the model has more than one output" };
  const nodes = nodesInOrder(model);
  const inPrefix = prefixNodes(nodes, k);
  if (inPrefix.size === 0) return { split: null, reason: `the model has no layers numbered below ${k}` };
  for (const n of inPrefix) {
    const layer = n.outboundLayer;
    if (layer.trainableWeights.length > 0) return { split: null, reason: `\`${layer.name}\` below layer ${k} trains` };
    const i = layerIndexOf(layer.name);
    if (i !== null && i >= k) return { split: null, reason: `layer ${k} feeds \`${layer.name}\`` };
  }
  const upperNodes = nodes.filter((n) => !inPrefix.has(n));
  const prefixOut = new Set([...inPrefix].flatMap((n) => n.outputTensors.map((t) => t.id)));
  const crossing = new Map<number, Sym>();
  for (const n of upperNodes) for (const t of n.inputTensors) if (prefixOut.has(t.id)) crossing.set(t.id, t);
  for (const t of model.outputs) if (prefixOut.has(t.id)) crossing.set(t.id, t);
  const boundary = [...crossing.values()];
  const shape = boundary[0]?.shape;
  if (boundary.length !== 1 || shape === undefined || shape.length !== 3 || typeof shape[2] !== "number") {
    return { split: null, reason: `the layers below ${k} hand ${boundary.length} tensors up, not one hidden state` };
  }
  const hiddenT = boundary[0]!;
  const prefixList = nodes.filter((n) => inPrefix.has(n));
  const inputIds = model.inputs.map((t) => t.id);
  const feedValues = (feed: readonly tf.Tensor[]): Map<number, tf.Tensor> =>
    new Map(model.inputs.map((t, i) => [t.id, feed[i]!]));
  return {
    reason: null,
    split: {
      layers: k,
      d: shape[2],
      prefix: (feed) =>
        tf.tidy(() => {
          const values = feedValues(feed);
          run(prefixList, values, false, new Set([...inputIds, hiddenT.id]));
          return values.get(hiddenT.id)!;
        }),
      upper: (feed, hidden, training) => {
        const values = feedValues(feed);
        values.set(hiddenT.id, hidden);
        run(upperNodes, values, training, new Set([...inputIds, hiddenT.id, model.outputs[0]!.id]));
        return values.get(model.outputs[0]!.id)!;
      },
    },
  };
}
