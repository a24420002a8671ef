/**
 * float16 weight storage for tfjs weights manifests: tfjs 4.22 decodes entries marked
 * `quantization: {dtype: "float16"}` back to float32 on load, but has no encoder; this is it.
 */
import type * as tf from "@tensorflow/tfjs";
import { concatBytes } from "./bytes.ts";

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function roundShift(value: number, shift: number): number {
  const kept = value >>> shift;
  const rest = value & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return rest > half || (rest === half && (kept & 1) === 1) ? kept + 1 : kept;
}

/** Encodes a number as IEEE half-precision bits, rounding to nearest even (overflow to infinity). */
export function floatToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    return sign | roundShift(mant | 0x800000, 14 - e);
  }
  return sign | ((e << 10) + roundShift(mant, 13));
}

/**
 * Re-encodes float32 weights as float16: returns the manifest entries (marked with float16
 * quantization) and the packed bytes. Non-float32 weights are copied unchanged.
 */
export function quantizeFloat16(
  specs: readonly tf.io.WeightsManifestEntry[],
  data: Uint8Array,
): [tf.io.WeightsManifestEntry[], Uint8Array] {
  const outSpecs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const spec of specs) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const bytes = spec.dtype === "float32" || spec.dtype === "int32" ? 4 * count : count;
    const chunk = data.subarray(offset, offset + bytes);
    offset += bytes;
    if (spec.dtype !== "float32" || spec.quantization !== undefined) {
      outSpecs.push(spec);
      parts.push(chunk);
      continue;
    }
    const src = new Float32Array(chunk.slice().buffer);
    const half = new Uint16Array(count);
    for (let i = 0; i < count; i++) half[i] = floatToHalf(src[i]!);
    outSpecs.push({ ...spec, quantization: { dtype: "float16" } });
    parts.push(new Uint8Array(half.buffer));
  }
  return [outSpecs, concatBytes(parts)];
}
