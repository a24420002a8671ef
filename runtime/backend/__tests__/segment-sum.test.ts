import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { installSegmentSum, segmentSumInto } from "../segment-sum.ts";

describe("the wasm UnsortedSegmentSum kernel", () => {
  it("sums rows into their segments in row order, drops ids out of range, zeroes untouched rows", () => {
    const out = new Float32Array([9, 9, 9, 9, 9, 9, 9, 9]);
    segmentSumInto([1, 2, 3, 4, 5, 6, 7, 8, 10, 20], [2, 0, 2, -1, 4], 2, out, 4);
    expect([...out]).toEqual([3, 4, 0, 0, 1 + 5, 2 + 6, 0, 0]);
  });

  it("is not registered twice, and leaves a backend that has its own kernel alone", () => {
    const cpu = tf.getKernel("UnsortedSegmentSum", "cpu");
    installSegmentSum("cpu");
    expect(tf.getKernel("UnsortedSegmentSum", "cpu")).toBe(cpu);
  });
});
