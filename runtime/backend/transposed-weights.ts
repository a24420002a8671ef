/**
 * Transposed copies of the weights that matMul gradients multiply by. A dense layer's input gradient is
 * dY·Wᵀ, and fast-matmul.ts runs it as a plain product with Wᵀ made explicit. Made afresh at every step,
 * Wᵀ costs a transpose pass and, because it is a new tensor each time, a new XNNPACK operator that packs
 * it again (the wasm backend caches operators by the weight's tensor). The copies here are kept per
 * source tensor (its dataId, which tfjs replaces whenever a variable is assigned, so a kept copy is never
 * stale) and freed when the backend frees the source.
 */
import type * as tf from "@tensorflow/tfjs";

/** The parts of a tfjs backend the cache uses. */
interface DisposingBackend {
  disposeData(dataId: object, force?: boolean): boolean;
}

/** The copies of one backend: source dataId to its transposed copy. */
type Copies = Map<object, tf.TensorInfo>;

const byBackend = new WeakMap<object, Copies>();

/** The backend's copies, hooking its `disposeData` the first time so a freed source frees its copy. */
function copiesOf(backend: DisposingBackend): Copies {
  let copies = byBackend.get(backend);
  if (copies !== undefined) return copies;
  const table: Copies = new Map();
  const dispose = backend.disposeData.bind(backend);
  backend.disposeData = (dataId, force) => {
    const freed = dispose(dataId, force);
    const copy = freed ? table.get(dataId) : undefined;
    if (copy !== undefined) {
      table.delete(dataId);
      dispose(copy.dataId, true);
    }
    return freed;
  };
  byBackend.set(backend, (copies = table));
  return copies;
}

/**
 * The transpose of `t` (its last two axes swapped; every other axis of size 1) made by `make`, kept while
 * `t`'s data lives on `backend` and returned again for the same data, in the shape `t`'s transpose has.
 * The caller must not free the result.
 */
export function keptTranspose(backend: unknown, t: tf.TensorInfo, make: () => tf.TensorInfo): tf.TensorInfo {
  const copies = copiesOf(backend as DisposingBackend);
  let copy = copies.get(t.dataId);
  if (copy === undefined) copies.set(t.dataId, (copy = make()));
  const shape = [...t.shape];
  shape.splice(-2, 2, t.shape[t.shape.length - 1]!, t.shape[t.shape.length - 2]!);
  return { ...copy, shape };
}

/** How many transposed copies `backend` keeps now. */
export function keptTransposes(backend: unknown): number {
  return byBackend.get(backend as object)?.size ?? 0;
}
