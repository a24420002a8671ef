/**
 * Gradients that free memory as the backward pass goes. tfjs's `variableGrads` keeps every tensor a
 * kernel saved for its gradient and every intermediate gradient until the whole backward pass ends, so
 * a step's peak is the forward's saved tensors plus the gradient of nearly every activation; on wasm
 * that peak becomes the heap's size for the rest of the run (the heap never shrinks). This walks the
 * same tape with the same gradient functions in the same order (the numbers are bit-identical), but
 * frees the saved tensors of nodes off the path from the variables to the loss before the backward
 * pass, and each node's saved tensors and its outputs' gradients as soon as the node is done.
 */
import * as tf from "@tensorflow/tfjs";

/** One node of tfjs's gradient tape (the engine's own record). */
interface TapeNode {
  readonly id: number;
  readonly kernelName: string;
  readonly inputs: Record<string, tf.Tensor>;
  readonly outputs: tf.Tensor[];
  readonly saved?: tf.Tensor[];
  readonly gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
}

/** The part of tfjs's engine the walk uses (not in its typings: they are private there). */
interface EngineTape {
  readonly state: { activeTape: TapeNode[] | null; gradientDepth: number };
  startTape(): void;
  endTape(): void;
  tidy<T extends tf.TensorContainer>(name: string, fn: () => T): T;
}

/**
 * Kernels whose registered gradients (tfjs-core 4.22) read the tensors they save only for their shapes:
 * a disposed tensor keeps its shape, so their saved copies can go as soon as the kernel has run.
 */
const SHAPE_ONLY = new Set(["Add", "Sub", "Reshape", "Sum", "Mean"]);

/** The number of nodes on the gradient tape now (0 when nothing is being recorded). */
export function tapeLength(): number {
  const state = (tf.engine() as unknown as EngineTape).state;
  return state.gradientDepth > 0 ? (state.activeTape?.length ?? 0) : 0;
}

/**
 * Disposes what the tape's nodes from index `from` on saved only for a shape (see `SHAPE_ONLY`); the
 * memory goes unless another node saved the same data. Returns the tape's length, the next `from`.
 */
export function releaseShapeOnlySaves(from: number): number {
  const { activeTape: tape, gradientDepth } = (tf.engine() as unknown as EngineTape).state;
  if (gradientDepth === 0 || tape == null) return 0;
  for (let i = from; i < tape.length; i++) if (SHAPE_ONLY.has(tape[i]!.kernelName)) tf.dispose(tape[i]!.saved ?? []);
  return tape.length;
}

/** The value of `f` and the gradients of the given trainable variables, keyed by name. */
export interface VariableGrads {
  readonly value: tf.Scalar;
  readonly grads: Record<string, tf.Tensor>;
}

/**
 * The tape's nodes on a path from `xs` to `y`, with inputs not computed from `xs` pruned: the same
 * selection as tfjs's `getFilteredNodesXToY`.
 */
export function nodesFromXsToY(tape: readonly TapeNode[], xs: readonly tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((t) => fromX.has(t.id))) {
      node.outputs.forEach((o) => fromX.add(o.id));
      nodesFromX.add(node.id);
    }
  }
  const toY = new Set([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    if (node.outputs.some((o) => toY.has(o.id))) {
      for (const t of Object.values(node.inputs)) toY.add(t.id);
      if (Object.keys(node.inputs).length > 0) nodesToY.add(node.id);
    }
  }
  return tape
    .filter((n) => nodesFromX.has(n.id) && nodesToY.has(n.id))
    .map((n) => ({
      ...n,
      inputs: Object.fromEntries(Object.entries(n.inputs).filter(([, t]) => fromX.has(t.id))),
    }));
}

function checked(node: TapeNode, name: string, dx: tf.Tensor): tf.Tensor {
  const x = node.inputs[name]!;
  if (dx.dtype !== "float32" || !tf.util.arraysEqual(dx.shape, x.shape)) {
    throw new Error(
      `the gradient of ${node.kernelName}'s input ${name} is ${dx.dtype} [${dx.shape.join(",")}], not float32 [${x.shape.join(",")}]`,
    );
  }
  return dx;
}

/**
 * Walks the filtered tape backwards from `y`, freeing as it goes; returns the gradients of `xs`. A node's
 * input gradients are computed in one scope, so what its gradient function makes besides them goes at once.
 */
function backward(tape: readonly TapeNode[], xs: readonly tf.Tensor[], y: tf.Tensor): (tf.Tensor | undefined)[] {
  const acc = new Map<number, tf.Tensor>([[y.id, tf.ones(y.shape)]]);
  const wanted = new Set(xs.map((x) => x.id));
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    if (node.gradient === undefined) throw new Error(`no gradient function for ${node.kernelName}`);
    const names = Object.keys(node.inputs);
    const dys = node.outputs.map((o) => acc.get(o.id) ?? null);
    const dxs = tf.tidy(() => {
      const grads = node.gradient!(dys);
      return names.map((name) => {
        if (!(name in grads)) throw new Error(`${node.kernelName} has no gradient for its input ${name}`);
        return checked(node, name, grads[name]!());
      });
    });
    names.forEach((name, k) => {
      const dx = dxs[k]!;
      const id = node.inputs[name]!.id;
      const current = acc.get(id);
      if (current === undefined) acc.set(id, dx);
      else {
        acc.set(id, tf.add(current, dx));
        current.dispose();
        if (dx !== current) dx.dispose();
      }
    });
    const live = new Set(Object.values(node.inputs).map((t) => acc.get(t.id)));
    for (const o of node.outputs) {
      const dy = acc.get(o.id);
      if (dy === undefined || wanted.has(o.id)) continue;
      acc.delete(o.id);
      if (!live.has(dy)) dy.dispose();
    }
    tf.dispose(node.saved ?? []);
  }
  return xs.map((x) => acc.get(x.id));
}

/**
 * `tf.variableGrads(f, vars)` with the same result, bit for bit, and a lower memory peak (see the module
 * comment). Inside another gradient computation (higher-order gradients) it is tfjs's own.
 */
export function leanVariableGrads(f: () => tf.Scalar, vars: readonly tf.Variable[]): VariableGrads {
  const engine = tf.engine() as unknown as EngineTape;
  const xs = vars.filter((v) => v.trainable);
  if (engine.state.gradientDepth > 0 || xs.length === 0) {
    const r = tf.variableGrads(f, [...vars]);
    return { value: r.value, grads: r.grads as Record<string, tf.Tensor> };
  }
  engine.startTape();
  let y: tf.Scalar;
  try {
    y = engine.tidy("forward", f);
  } finally {
    engine.endTape();
  }
  const tape = engine.state.activeTape ?? [];
  try {
    if (!(y instanceof tf.Tensor) || y.rank !== 0)
      throw new Error("the function to differentiate must return a scalar");
    const path = nodesFromXsToY(tape, xs, y);
    const onPath = new Set(path.map((n) => n.id));
    for (const node of tape) if (!onPath.has(node.id)) tf.dispose(node.saved ?? []);
    return engine.tidy("backward", () => {
      const grads = backward(path, xs, y);
      const named: Record<string, tf.Tensor> = {};
      xs.forEach((v, i) => grads[i] !== undefined && (named[v.name] = grads[i]!));
      if (Object.keys(named).length === 0) throw new Error("no trainable variable reaches the loss");
      return { value: y, grads: named };
    });
  } catch (e) {
    if (y instanceof tf.Tensor) y.dispose();
    throw e;
  } finally {
    for (const node of tape) tf.dispose(node.saved ?? []);
    engine.state.activeTape = null;
  }
}
