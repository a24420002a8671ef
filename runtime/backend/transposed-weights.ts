/**
 * Transposed copies of the weights that matMul gradients multiply by. A dense layer's input gradient is
 * dY·Wᵀ, and fast-matmul.ts runs it as a plain product with Wᵀ made explicit. Made afresh at every step,
 * Wᵀ costs a transpose pass and, because it is a new tensor each time, a new XNNPACK operator that packs
 * it again (the wasm backend caches operators by the weight's tensor). The copies here are kept per
 * source tensor (its dataId, which tfjs replaces whenever a variable is assigned, so a kept copy is never
 * stale) from the second time it is seen, so only frozen weights get one, up to a budget of bytes, and
 * freed when the backend frees the source.
 */
import type * as tf from "@tensorflow/tfjs";

/** The parts of a tfjs backend the cache uses. */
interface DisposingBackend {
  disposeData(dataId: object, force?: boolean): boolean;
}

/** Bytes of kept copies one backend holds at most; past them, transposes are made per call again. */
export const KEPT_BYTES = 512 * 2 ** 20;

/** One backend's copies (source dataId to its transposed copy), their bytes, and the sources seen once. */
interface Store {
  readonly copies: Map<object, tf.TensorInfo>;
  readonly seen: WeakSet<object>;
  bytes: number;
}

const byBackend = new WeakMap<object, Store>();

/** The backend's store, hooking its `disposeData` the first time so a freed source frees its copy. */
function storeOf(backend: DisposingBackend): Store {
  const known = byBackend.get(backend);
  if (known !== undefined) return known;
  const store: Store = { copies: new Map(), seen: new WeakSet(), bytes: 0 };
  const dispose = backend.disposeData.bind(backend);
  backend.disposeData = (dataId, force) => {
    const freed = dispose(dataId, force);
    const copy = freed ? store.copies.get(dataId) : undefined;
    if (copy !== undefined) {
      store.copies.delete(dataId);
      store.bytes -= bytesOf(copy);
      dispose(copy.dataId, true);
    }
    return freed;
  };
  byBackend.set(backend, store);
  return store;
}

const bytesOf = (t: tf.TensorInfo): number => 4 * t.shape.reduce((a, b) => a * b, 1);

/**
 * The transpose of `t` (float32, its last two axes swapped; every other axis of size 1) made by `make`,
 * kept while `t`'s data lives on `backend` and returned again for the same data, in the shape `t`'s
 * transpose has; the caller must not free it. Undefined, so the caller transposes for this call only,
 * the first time `t`'s data is seen (a trained weight is assigned new data at every step, so only a
 * frozen one is seen twice) and when keeping it would pass `budget` bytes.
 */
export function keptTranspose(
  backend: unknown,
  t: tf.TensorInfo,
  make: () => tf.TensorInfo,
  budget = KEPT_BYTES,
): tf.TensorInfo | undefined {
  const store = storeOf(backend as DisposingBackend);
  let copy = store.copies.get(t.dataId);
  if (copy === undefined) {
    if (!store.seen.has(t.dataId)) {
      store.seen.add(t.dataId);
      return undefined;
    }
    if (store.bytes + bytesOf(t) > budget) return undefined;
    store.copies.set(t.dataId, (copy = make()));
    store.bytes += bytesOf(copy);
  }
  const shape = [...t.shape];
  shape.splice(-2, 2, t.shape[t.shape.length - 1]!, t.shape[t.shape.length - 2]!);
  return { ...copy, shape };
}

/** How many transposed copies `backend` keeps now, and their bytes. */
export function keptTransposes(backend: unknown): { count: number; bytes: number } {
  const store = byBackend.get(backend as object);
  return { count: store?.copies.size ?? 0, bytes: store?.bytes ?? 0 };
}
