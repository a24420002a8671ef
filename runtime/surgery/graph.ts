/**
 * Rebuilds a LayersModel's functional topology on fresh tensors, letting a hook decide what each layer
 * call becomes. The hook sees every call of every layer (a layer with several inbound nodes is seen
 * once per node) and returns the tensors that replace the call's outputs; every consumer of those
 * outputs (residual adds, later layers, the model outputs) then reads the replacement. Sequential
 * models are rebuilt as functional ones. The input model is not modified.
 */
import * as tf from "@tensorflow/tfjs";

/** A symbolic tensor of the functional API. */
export type Sym = tf.SymbolicTensor;
/** A tfjs layer. */
export type Layer = tf.layers.Layer;

/** What one layer call becomes: `inputs` are the rebuilt inputs; returns the rebuilt outputs. */
export type CallHook = (layer: Layer, inputs: Sym[], callArgs: Record<string, unknown>) => Sym[];

interface NodeLike {
  outboundLayer: Layer;
  inputTensors: Sym[];
  outputTensors: Sym[];
  callArgs?: Record<string, unknown>;
}

interface ContainerLike {
  inputs: Sym[];
  outputs: Sym[];
  layers: Layer[];
  nodesByDepth?: Record<string, NodeLike[]>;
}

/**
 * A new layer of the same class and config as `layer` (unbuilt, without weights): its own class, not the
 * one tfjs's registry holds under its name, so a clone computes exactly what the original did.
 */
export function cloneLayer(layer: Layer, config: tf.serialization.ConfigDict = layer.getConfig()): Layer {
  const own =
    layer.constructor as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable> & {
      fromConfig: (cls: unknown, config: tf.serialization.ConfigDict) => tf.serialization.Serializable;
    };
  return own.fromConfig(own, config) as Layer;
}

/** A fresh input tensor with the shape, dtype and name of `t`. */
function freshInput(t: Sym, name: string): Sym {
  return tf.input({ batchShape: t.shape, dtype: t.dtype, name });
}

function asList(t: Sym | Sym[] | tf.Tensor | tf.Tensor[]): Sym[] {
  return (Array.isArray(t) ? t : [t]) as Sym[];
}

/** True for tfjs's `Sequential` (rebuilt as a chain). */
function isSequential(model: tf.LayersModel): boolean {
  return model.getClassName() === "Sequential";
}

function rebuildSequential(model: tf.LayersModel, hook: CallHook): tf.LayersModel {
  const c = model as unknown as ContainerLike;
  const first = c.inputs[0];
  if (first === undefined) throw new Error("the sequential model has no input");
  const inputLayer = (model as unknown as { inputLayers?: Layer[] }).inputLayers?.[0];
  const input = freshInput(first, inputLayer?.name ?? `${model.name}_input`);
  let x: Sym[] = [input];
  for (const layer of c.layers) {
    if (layer.getClassName() === "InputLayer") continue;
    x = hook(layer, x, {});
  }
  return tf.model({ inputs: input, outputs: x, name: model.name });
}

function rebuildFunctional(model: tf.LayersModel, hook: CallHook): tf.LayersModel {
  const c = model as unknown as ContainerLike;
  if (c.nodesByDepth === undefined) throw new Error("the model has no functional topology");
  const map = new Map<number, Sym>();
  const depths = Object.keys(c.nodesByDepth)
    .map(Number)
    .sort((a, b) => b - a);
  for (const depth of depths) {
    for (const node of c.nodesByDepth[String(depth)] ?? []) {
      const layer = node.outboundLayer;
      if (layer.getClassName() === "InputLayer") {
        const t = node.outputTensors[0] as Sym;
        map.set(t.id, freshInput(t, layer.name));
        continue;
      }
      const inputs = node.inputTensors.map((t) => {
        const mapped = map.get(t.id);
        if (mapped === undefined) throw new Error(`the input of layer ${layer.name} was not rebuilt`);
        return mapped;
      });
      const outputs = hook(layer, inputs, node.callArgs ?? {});
      node.outputTensors.forEach((t, i) => {
        const out = outputs[i];
        if (out !== undefined) map.set(t.id, out);
      });
    }
  }
  const pick = (t: Sym): Sym => {
    const m = map.get(t.id);
    if (m === undefined) throw new Error("a model input or output was not rebuilt");
    return m;
  };
  return tf.model({ inputs: c.inputs.map(pick), outputs: c.outputs.map(pick), name: model.name });
}

/** Rebuilds `model` on fresh tensors; `hook` decides what each layer call becomes. */
export function rebuild(model: tf.LayersModel, hook: CallHook): tf.LayersModel {
  return isSequential(model) ? rebuildSequential(model, hook) : rebuildFunctional(model, hook);
}

/** Applies `layer` to `inputs` (one tensor or a list) with `callArgs`, as a list of outputs. */
export function applyLayer(layer: Layer, inputs: Sym[], callArgs: Record<string, unknown> = {}): Sym[] {
  const arg = inputs.length === 1 ? (inputs[0] as Sym) : inputs;
  return asList(layer.apply(arg, callArgs) as Sym | Sym[]);
}

/** The hook that only clones: every layer re-created from its config, with the original's weights. */
export function cloningHook(): CallHook {
  const clones = new Map<Layer, Layer>();
  return (layer, inputs, callArgs) => {
    let clone = clones.get(layer);
    const first = clone === undefined;
    clone ??= cloneLayer(layer);
    clones.set(layer, clone);
    const out = applyLayer(clone, inputs, callArgs);
    if (first) clone.setWeights(layer.getWeights());
    return out;
  };
}
