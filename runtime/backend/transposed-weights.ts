/**
 * Kept copies of the weights that matMuls multiply by: transposes, and the packed panels of wasm-gemm.ts.
 * A dense layer's input gradient is
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

/** Bytes of kept copies one backend holds at most; past them, copies are made per call again. */
export const KEPT_BYTES = 512 * 2 ** 20;

/** One backend's copies (source dataId to its copies by variant), their bytes, and the variants seen once. */
interface Store {
  readonly copies: Map<object, Map<string, tf.TensorInfo>>;
  readonly seen: WeakMap<object, Set<string>>;
  bytes: number;
}

const byBackend = new WeakMap<object, Store>();

/** The backend's store, hooking its `disposeData` the first time so a freed source frees its copies. */
function storeOf(backend: DisposingBackend): Store {
  const known = byBackend.get(backend);
  if (known !== undefined) return known;
  const store: Store = { copies: new Map(), seen: new WeakMap(), bytes: 0 };
  const dispose = backend.disposeData.bind(backend);
  backend.disposeData = (dataId, force) => {
    const freed = dispose(dataId, force);
    const copies = freed ? store.copies.get(dataId) : undefined;
    if (copies !== undefined) {
      store.copies.delete(dataId);
      for (const copy of copies.values()) {
        store.bytes -= bytesOf(copy);
        dispose(copy.dataId, true);
      }
    }
    return freed;
  };
  byBackend.set(backend, store);
  return store;
}

const bytesOf = (t: tf.TensorInfo): number => 4 * t.shape.reduce((a, b) => a * b, 1);

/**
 * A copy of `t` made by `make` (float32, as many elements as `t`), one per `variant` (a transpose, a
 * packing), kept while `t`'s data lives on `backend` and returned again for the same data; the caller must
 * not free it. Undefined, so the caller makes what it needs for this call only, the first time `t`'s data
 * is seen for `variant` (a trained weight is assigned new data at every step, so only a frozen one is seen
 * twice) and when keeping it would pass `budget` bytes.
 */
export function keptCopy(
  backend: unknown,
  t: tf.TensorInfo,
  variant: string,
  make: () => tf.TensorInfo,
  budget = KEPT_BYTES,
): tf.TensorInfo | undefined {
  const store = storeOf(backend as DisposingBackend);
  let copies = store.copies.get(t.dataId);
  let copy = copies?.get(variant);
  if (copy === undefined) {
    let seen = store.seen.get(t.dataId);
    if (seen === undefined) store.seen.set(t.dataId, (seen = new Set()));
    if (!seen.has(variant)) {
      seen.add(variant);
      return undefined;
    }
    if (store.bytes + bytesOf(t) > budget) return undefined;
    if (copies === undefined) store.copies.set(t.dataId, (copies = new Map()));
    copies.set(variant, (copy = make()));
    store.bytes += bytesOf(copy);
  }
  return copy;
}

/**
 * The transpose of `t` (float32, its last two axes swapped; every other axis of size 1) made by `make`,
 * kept as `keptCopy` says, in the shape `t`'s transpose has.
 */
export function keptTranspose(
  backend: unknown,
  t: tf.TensorInfo,
  make: () => tf.TensorInfo,
  budget = KEPT_BYTES,
): tf.TensorInfo | undefined {
  const copy = keptCopy(backend, t, "transpose", make, budget);
  if (copy === undefined) return undefined;
  const shape = [...t.shape];
  shape.splice(-2, 2, t.shape[t.shape.length - 1]!, t.shape[t.shape.length - 2]!);
  return { ...copy, shape };
}

/** How many copies `backend` keeps now (of every variant), and their bytes. */
export function keptCopies(backend: unknown): { count: number; bytes: number } {
  const store = byBackend.get(backend as object);
  let count = 0;
  for (const copies of store?.copies.values() ?? []) count += copies.size;
  return { count, bytes: store?.bytes ?? 0 };
}
