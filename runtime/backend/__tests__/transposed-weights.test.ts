/**
 * The store of kept transposes (transposed-weights.ts), on a stand-in backend: a copy is made from a
 * source's second sighting on, returned in the transposed shape of the source's rank, never past the
 * byte budget, and freed (with its bytes) when the backend frees the source, while a source still
 * referenced elsewhere keeps its copy.
 */
import type * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { keptTranspose, keptCopies } from "../transposed-weights.ts";

/** A backend that counts references per dataId and records what it frees. */
function standIn(): {
  backend: { disposeData(id: object, force?: boolean): boolean };
  freed: object[];
  refs: Map<object, number>;
} {
  const refs = new Map<object, number>();
  const freed: object[] = [];
  const backend = {
    disposeData(id: object, force = false): boolean {
      const left = (refs.get(id) ?? 1) - 1;
      if (!force && left > 0) {
        refs.set(id, left);
        return false;
      }
      refs.delete(id);
      freed.push(id);
      return true;
    },
  };
  return { backend, freed, refs };
}

const info = (shape: number[]): tf.TensorInfo => ({ dataId: {}, shape, dtype: "float32" });
const transposeOf = (t: tf.TensorInfo) => (): tf.TensorInfo => info([t.shape[1]!, t.shape[0]!]);

describe("kept transposes", () => {
  it("keeps a copy from the second sighting on, in the shape of the source's transpose", () => {
    const { backend } = standIn();
    const w = info([6, 4]);
    let made = 0;
    const make = () => (made++, transposeOf(w)());
    expect(keptTranspose(backend, w, make)).toBeUndefined();
    const kept = keptTranspose(backend, w, make)!;
    expect(kept.shape).toEqual([4, 6]);
    expect(keptTranspose(backend, w, make)!.dataId).toBe(kept.dataId);
    expect(keptTranspose(backend, { ...w, shape: [1, 6, 4] }, make)!.shape).toEqual([1, 4, 6]);
    expect(made).toBe(1);
    expect(keptCopies(backend)).toEqual({ count: 1, bytes: 96 });
  });

  it("keeps nothing past the budget", () => {
    const { backend } = standIn();
    const [a, b] = [info([10, 10]), info([10, 10])];
    for (const t of [a, b, a, b]) keptTranspose(backend, t, transposeOf(t), 600);
    expect(keptTranspose(backend, a, transposeOf(a), 600)).toBeDefined();
    expect(keptTranspose(backend, b, transposeOf(b), 600)).toBeUndefined();
    expect(keptCopies(backend)).toEqual({ count: 1, bytes: 400 });
  });

  it("frees the copy when the backend frees the source, not while the source is referenced", () => {
    const { backend, freed, refs } = standIn();
    const w = info([3, 5]);
    keptTranspose(backend, w, transposeOf(w));
    const copy = keptTranspose(backend, w, transposeOf(w))!;
    refs.set(w.dataId, 2);
    expect(backend.disposeData(w.dataId)).toBe(false);
    expect(keptCopies(backend).count).toBe(1);
    expect(backend.disposeData(w.dataId)).toBe(true);
    expect(freed).toEqual([w.dataId, copy.dataId]);
    expect(keptCopies(backend)).toEqual({ count: 0, bytes: 0 });
  });
});
