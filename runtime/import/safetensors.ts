/**
 * A reader for the safetensors format: an 8-byte little-endian header length, a JSON header of
 * `{name: {dtype, shape, data_offsets}}`, then the raw little-endian tensor bytes. Floating tensors
 * (F32, F16, BF16) are decoded to float32; integer tensors are kept as their raw bytes' description.
 */
import { diag, FILE_START, type Diagnostic, type StageResult } from "../../compiler/diagnostics/diagnostic.ts";

/** One decoded tensor. `values` is null for dtypes that are not floating point. */
export interface SafeTensor {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly values: Float32Array | null;
}

/** The tensors of one file by name, in header order. */
export type SafeTensors = ReadonlyMap<string, SafeTensor>;

const BYTES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** Decodes IEEE half-precision bits to a number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function decode(dtype: string, bytes: Uint8Array, count: number): Float32Array | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  if (dtype === "F32") for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  else if (dtype === "F64") for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
  else if (dtype === "F16") for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
  else if (dtype === "BF16") {
    const f = new DataView(new ArrayBuffer(4));
    for (let i = 0; i < count; i++) {
      f.setUint32(0, view.getUint16(i * 2, true) << 16);
      out[i] = f.getFloat32(0);
    }
  } else return null;
  return out;
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

function isEntry(v: unknown): v is HeaderEntry {
  const e = v as HeaderEntry;
  return typeof e === "object" && e !== null && typeof e.dtype === "string" && Array.isArray(e.shape) &&
    e.shape.every((n) => Number.isInteger(n) && n >= 0) && Array.isArray(e.data_offsets) && e.data_offsets.length === 2;
}

function bad(file: string, message: string): StageResult<SafeTensors | null> {
  return { value: null, diagnostics: [{ ...diag("ADAPT963", FILE_START, message), file }] };
}

/** Parses the bytes of a `.safetensors` file named `file` (used in diagnostics). */
export function parseSafetensors(bytes: Uint8Array, file: string): StageResult<SafeTensors | null> {
  if (bytes.byteLength < 8) return bad(file, "the file is shorter than its 8-byte header length");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (8 + headerLength > bytes.byteLength) return bad(file, `the header length ${headerLength} runs past the end of the file`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, unknown>;
  } catch {
    return bad(file, "the header is not valid JSON");
  }
  const data = bytes.subarray(8 + headerLength);
  const tensors = new Map<string, SafeTensor>();
  const diagnostics: Diagnostic[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    if (!isEntry(entry)) return bad(file, `the header entry of \`${name}\` is malformed`);
    const size = BYTES[entry.dtype];
    if (size === undefined) return bad(file, `tensor \`${name}\` has the unknown dtype \`${entry.dtype}\``);
    const count = entry.shape.reduce((a, b) => a * b, 1);
    const [begin, end] = entry.data_offsets;
    if (end - begin !== count * size || end > data.byteLength || begin < 0) {
      return bad(file, `tensor \`${name}\` has data offsets that do not fit its shape or the file`);
    }
    tensors.set(name, { dtype: entry.dtype, shape: entry.shape, values: decode(entry.dtype, data.subarray(begin, end), count) });
  }
  return { value: tensors, diagnostics };
}
