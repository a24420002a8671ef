import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { floatToHalf, quantizeFloat16 } from "../float16.ts";
import { halfToFloat } from "../../import/safetensors.ts";
import { loadLayersModelFile, modelJsonFor, weightBytes, writeModelFiles } from "../file-io.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("floatToHalf", () => {
  it("encodes exact values, rounds to nearest even, and saturates to infinity", () => {
    expect(floatToHalf(1)).toBe(0x3c00);
    expect(floatToHalf(-2)).toBe(0xc000);
    expect(floatToHalf(65504)).toBe(0x7bff);
    expect(floatToHalf(1e6)).toBe(0x7c00);
    expect(floatToHalf(2 ** -24)).toBe(0x0001);
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // halfway, rounds to even
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02); // halfway, rounds up to even
    expect(Number.isNaN(halfToFloat(floatToHalf(NaN)))).toBe(true);
  });

  it("round-trips within half precision's relative error", () => {
    for (const v of [0.1, -3.14159, 1234.5, 6e-5, 1e-7]) {
      expect(Math.abs(halfToFloat(floatToHalf(v)) - v)).toBeLessThanOrEqual(Math.max(Math.abs(v) * 2 ** -11, 2 ** -25));
    }
  });
});

describe("quantizeFloat16", () => {
  it("writes a model tfjs reloads with half the weight bytes and outputs within 1e-2", async () => {
    const input = tf.input({ shape: [8] });
    const output = tf.layers.dense({ units: 4, name: "d" }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    let json: tf.io.ModelJSON | undefined;
    let bytes: Uint8Array = new Uint8Array(0);
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        json = modelJsonFor(a);
        bytes = weightBytes(a.weightData);
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
      }),
    );
    const [specs, half] = quantizeFloat16(json!.weightsManifest[0]!.weights, bytes);
    expect(half.byteLength).toBe(bytes.byteLength / 2);
    const dir = mkdtempSync(join(tmpdir(), "adapt-f16-"));
    writeModelFiles(dir, { ...json!, weightsManifest: [{ paths: ["./weights.bin"], weights: specs }] }, half);
    const again = await loadLayersModelFile(join(dir, "model.json"));
    const x = tf.randomNormal([3, 8], 0, 1, "float32", 1);
    const diff = tf.max(tf.abs(tf.sub(model.predict(x) as tf.Tensor, again.predict(x) as tf.Tensor))).dataSync()[0]!;
    expect(diff).toBeGreaterThan(0);
    expect(diff).toBeLessThan(1e-2);
  });
});
