/**
 * A model's forward pass that frees as it goes. tfjs-layers' executor frees each layer's output after
 * its last reader only in inference; when training it keeps every output until the pass ends, although
 * the gradient tape holds its own references to what the backward pass reads. `leanApply` calls the
 * same layers in the executor's own order (its depth-first sort, so dropout draws the same masks and
 * the outputs are bit-identical), disposes each output after its last reader, and as each layer
 * returns drops what tfjs saved only for a shape (backprop.ts): what stays is what the backward reads.
 */
import * as tf from "@tensorflow/tfjs";
import { releaseShapeOnlySaves, tapeLength } from "./backprop.ts";

/** A symbolic tensor of a functional model, as the executor walks it. */
interface Sym {
  readonly name: string;
  readonly inputs: Sym[];
  readonly sourceLayer: tf.layers.Layer & { stateful?: boolean };
}

/** The layer calls in execution order and how many calls read each tensor. */
interface Schedule {
  readonly order: readonly Sym[];
  readonly readers: ReadonlyMap<string, number>;
  readonly output: string;
  readonly inputs: readonly string[];
}

const schedules = new WeakMap<tf.LayersModel, Schedule | null>();

/** tfjs-layers' `getTopologicalSortAndRecipientCountsForOneFetch`, with readers counted per call. */
function sortFrom(fetch: Sym, feeds: ReadonlySet<string>): { order: Sym[]; readers: Map<string, Set<string>> } {
  const visited = new Set(feeds);
  const order: Sym[] = [];
  const readers = new Map<string, Set<string>>();
  const stack: Sym[] = [fetch];
  const marks: number[] = [];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (visited.has(top.name)) {
      stack.pop();
      continue;
    }
    const marked = marks[marks.length - 1] === stack.length - 1;
    if (top.inputs.length === 0 || marked) {
      stack.pop();
      order.push(top);
      visited.add(top.name);
      if (marked) marks.pop();
    } else {
      marks.push(stack.length - 1);
      for (const input of top.inputs) {
        const set = readers.get(input.name) ?? new Set<string>();
        set.add(top.name);
        readers.set(input.name, set);
        if (!visited.has(input.name)) stack.push(input);
      }
    }
  }
  return { order, readers };
}

/** The schedule of a model the lean pass can run (one output, single-output layers), else null. */
function scheduleOf(model: tf.LayersModel): Schedule | null {
  if (schedules.has(model)) return schedules.get(model)!;
  let schedule: Schedule | null = null;
  const outputs = model.outputs as unknown as Sym[];
  const simple = model.layers.every(
    (l) => l.inboundNodes.length === 1 && l.inboundNodes[0]!.outputTensors.length === 1,
  );
  if (outputs.length === 1 && simple) {
    const inputs = (model.inputs as unknown as Sym[]).map((t) => t.name);
    const { order, readers } = sortFrom(outputs[0]!, new Set(inputs));
    schedule = {
      order: order.filter((s) => s.sourceLayer.getClassName() !== "InputLayer"),
      readers: new Map([...readers].map(([name, set]) => [name, set.size])),
      output: outputs[0]!.name,
      inputs,
    };
  }
  schedules.set(model, schedule);
  return schedule;
}

/**
 * `model.apply(feed, { training })` with the same result, bit for bit, freeing each layer's output after
 * its last reader. Masks pass as the executor passes them. Models it cannot follow (several outputs,
 * layers called more than once) run through `model.apply`.
 */
export function leanApply(model: tf.LayersModel, feed: readonly tf.Tensor[], training: boolean): tf.Tensor {
  const schedule = scheduleOf(model);
  if (schedule === null) return model.apply([...feed], { training }) as tf.Tensor;
  return tf.tidy(() => {
    const values = new Map(schedule.inputs.map((name, i) => [name, feed[i]!]));
    const masks = new Map<string, tf.Tensor | null>();
    const left = new Map(schedule.readers);
    const kept = new Set([...schedule.inputs, schedule.output]);
    const kwargs: { training: boolean; mask?: tf.Tensor | null } = { training };
    let seen = tapeLength();
    for (const sym of schedule.order) {
      const layer = sym.sourceLayer;
      const inputs = sym.inputs.map((t) => values.get(t.name)!);
      const inputMasks = sym.inputs.map((t) => masks.get(t.name) ?? null);
      if (inputMasks.some((m) => m !== null)) kwargs.mask = inputMasks[0] ?? null;
      const out = layer.apply(inputs, kwargs) as tf.Tensor | tf.Tensor[];
      values.set(sym.name, Array.isArray(out) ? out[0]! : out);
      const mask = layer.supportsMasking ? layer.computeMask(inputs, inputMasks as tf.Tensor[]) : null;
      masks.set(sym.name, (Array.isArray(mask) ? mask[0] : mask) ?? null);
      seen = releaseShapeOnlySaves(seen);
      for (const name of new Set(sym.inputs.map((t) => t.name))) {
        const n = left.get(name)! - 1;
        left.set(name, n);
        const input = sym.inputs.find((t) => t.name === name)!;
        if (n === 0 && !kept.has(name) && input.sourceLayer.stateful !== true) values.get(name)!.dispose();
      }
    }
    return values.get(schedule.output)!;
  });
}
