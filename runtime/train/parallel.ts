/**
 * Parallel inference: several task models adapted from one base model (each from its artifact) joined
 * into one LayersModel with one output per task. Every layer call that is the same in all tasks (a base
 * layer that no task adapts, trains or feeds from an adapted layer) is computed once, from the first
 * task's layer; the rest of each task's graph (its adapters, the layers above them, its head) is its own
 * model's layers applied to the shared tensors, so each output is computed by exactly the operations of
 * that task's model alone. The caller checks that every artifact has the same base model (ADAPT952).
 */
import * as tf from "@tensorflow/tfjs";
import type { CompiledPlan } from "../../compiler/ir/types.ts";
import { applyLayer, cloneLayer, type Layer, type Sym } from "../surgery/graph.ts";

/** One task: its adapted model (with its head) and the plan it was built from. */
export interface TaskModel {
  readonly model: tf.LayersModel;
  readonly plan: Pick<CompiledPlan, "operations" | "weights">;
}

interface NodeLike {
  outboundLayer: Layer;
  inputTensors: Sym[];
  outputTensors: Sym[];
  callArgs?: Record<string, unknown>;
}

/** The base layers a task changes: its sites and the layers of the base weights it trains. */
function changedLayers(plan: TaskModel["plan"]): Set<string> {
  const out = new Set(plan.operations.map((op) => op.site));
  for (const w of plan.weights) if (w.owner === "base" && w.trainable) out.add(w.layer);
  return out;
}

/** What a model's nodes are, from the inputs up (tfjs's own topological order). */
function nodesOf(model: tf.LayersModel): NodeLike[] {
  const byDepth = (model as unknown as { nodesByDepth?: Record<string, NodeLike[]> }).nodesByDepth;
  if (byDepth === undefined) throw new Error(`model ${model.name} has no functional topology`);
  return Object.keys(byDepth)
    .map(Number)
    .sort((a, b) => b - a)
    .flatMap((d) => byDepth[String(d)] ?? []);
}

/** True for a layer that surgery or the head added (never shared between tasks). */
function added(layer: Layer): boolean {
  return /^(adapter|fusion|head)\./.test(layer.name);
}

/** `layer` again under the task's prefix (layer names are unique in a model), with its weights. */
function ownCopy(layer: Layer, prefix: string, inputs: Sym[], callArgs: Record<string, unknown>): Sym[] {
  const copy = cloneLayer(layer, { ...layer.getConfig(), name: `${prefix}${layer.name}` });
  const outs = applyLayer(copy, inputs, callArgs);
  copy.setWeights(layer.getWeights());
  return outs;
}

/**
 * The shared lower layers and the per-task upper layers of `tasks` as one model with one output per
 * task (in order); `shared` counts the layer calls computed once for all tasks.
 */
export function parallelModel(tasks: readonly TaskModel[]): { model: tf.LayersModel; shared: number } {
  const inputs = new Map<string, Sym>();
  const memo = new Map<string, Sym[]>();
  const outputs: Sym[] = [];
  tasks.forEach((task, i) => {
    const changed = changedLayers(task.plan);
    const map = new Map<number, { sym: Sym; shared: boolean }>();
    const calls = new Map<string, number>();
    for (const node of nodesOf(task.model)) {
      const layer = node.outboundLayer;
      if (layer.getClassName() === "InputLayer") {
        const t = node.outputTensors[0]!;
        const input = inputs.get(layer.name) ?? tf.input({ batchShape: t.shape, dtype: t.dtype, name: layer.name });
        inputs.set(layer.name, input);
        map.set(t.id, { sym: input, shared: true });
        continue;
      }
      const ins = node.inputTensors.map((t) => map.get(t.id)!);
      const n = calls.get(layer.name) ?? 0;
      calls.set(layer.name, n + 1);
      const shared = ins.every((x) => x.shared) && !changed.has(layer.name) && !added(layer);
      const key = `${layer.name}#${n}`;
      const syms = ins.map((x) => x.sym);
      let outs = shared ? memo.get(key) : undefined;
      if (outs === undefined) {
        outs = shared
          ? applyLayer(layer, syms, node.callArgs ?? {})
          : ownCopy(layer, `task${i}/`, syms, node.callArgs ?? {});
        if (shared) memo.set(key, outs);
      }
      node.outputTensors.forEach((t, k) => map.set(t.id, { sym: outs[k]!, shared }));
    }
    for (const t of task.model.outputs) outputs.push(map.get(t.id)!.sym);
  });
  const inputLayers = (tasks[0]!.model as unknown as { inputLayers: Layer[] }).inputLayers;
  const model = tf.model({ inputs: inputLayers.map((l) => inputs.get(l.name)!), outputs, name: "parallel" });
  return { model, shared: memo.size };
}
