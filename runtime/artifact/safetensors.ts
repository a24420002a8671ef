/**
 * The safetensors format (the one reader and writer of the project), written for float32 tensors and
 * read for any dtype: an 8-byte little-endian header length,
 * a JSON header `{name: {dtype, shape, data_offsets}, __metadata__: {string: string}}` padded with
 * spaces to a multiple of 8, then the raw little-endian data in header order.
 */
import { closeFile, errnoReason, openChecked, readAt, type ReadPolicy } from "../io/read-file.ts";
import { jsonText } from "../../compiler/model/safe-json.ts";

/** One float32 tensor. */
export interface F32Tensor {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** A decoded file: tensors by name (in file order) and the string metadata. */
export interface SafetensorsFile {
  readonly tensors: Map<string, F32Tensor>;
  readonly metadata: Record<string, string>;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function f32Bytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.byteLength);
  if (littleEndian) {
    out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  } else {
    const view = new DataView(out.buffer);
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  }
  return out;
}

/** Encodes tensors (in the map's order) and metadata as safetensors bytes. */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, F32Tensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of tensors) {
    const size = t.values.length * 4;
    header[name] = { dtype: "F32", shape: [...t.shape], data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (new TextEncoder().encode(json).byteLength % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.byteLength), true);
  out.set(head, 8);
  let at = 8 + head.byteLength;
  for (const t of tensors.values()) {
    out.set(f32Bytes(t.values), at);
    at += t.values.length * 4;
  }
  return out;
}

/** Why bytes are not a valid float32 safetensors file. */
export class SafetensorsError extends Error {}

interface Entry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** One tensor of any dtype; `values` holds floating dtypes decoded to float32, null for the others. */
export interface AnyTensor {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly values: Float32Array | null;
}

const BYTES: Readonly<Record<string, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** Decodes IEEE half-precision bits to a number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function decodeValues(dtype: string, bytes: Uint8Array, count: number): Float32Array | null {
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

/** Random access to safetensors bytes: in memory, or an open file read piece by piece. */
export interface ByteSource {
  readonly size: number;
  read(position: number, length: number): Uint8Array;
}

/** The largest header this reader accepts (the format's own limit). */
export const MAX_HEADER_BYTES = 100 * 1000 * 1000;

/** A source over bytes in memory. */
export function memorySource(bytes: Uint8Array): ByteSource {
  return { size: bytes.byteLength, read: (at, n) => bytes.subarray(at, at + n) };
}

function safeCount(x: unknown): x is number {
  return typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
}

function readEntry(name: string, e: unknown, dataSize: number): Entry {
  const x = e as Partial<Entry> | null;
  if (typeof x !== "object" || x === null || Array.isArray(x))
    throw new SafetensorsError(`the header entry of \`${name}\` is not an object`);
  if (typeof x.dtype !== "string" || !Object.hasOwn(BYTES, x.dtype))
    throw new SafetensorsError(`tensor \`${name}\` has the unknown dtype \`${jsonText(x.dtype)}\``);
  if (!Array.isArray(x.shape) || x.shape.length > 16 || !x.shape.every(safeCount))
    throw new SafetensorsError(`tensor \`${name}\` has a shape that is not a list of sizes`);
  const offsets = x.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(safeCount))
    throw new SafetensorsError(`tensor \`${name}\` has data offsets that are not two byte positions`);
  const [begin, end] = offsets as [number, number];
  if (begin > end)
    throw new SafetensorsError(`tensor \`${name}\` has data offsets in reverse order (${begin} > ${end})`);
  if (end > dataSize)
    throw new SafetensorsError(
      `tensor \`${name}\` ends at byte ${end} of the data, but the file holds only ${dataSize}`,
    );
  const count = x.shape.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(count) || end - begin !== count * BYTES[x.dtype]!) {
    throw new SafetensorsError(
      `tensor \`${name}\` has ${end - begin} bytes of data, which does not fit its shape [${x.shape.join(", ")}] of ${x.dtype}`,
    );
  }
  return { dtype: x.dtype, shape: x.shape, data_offsets: [begin, end] };
}

/** Reads and checks the header: its length, its JSON, and every entry against the data's size. */
function readHeader(src: ByteSource): {
  entries: Map<string, Entry>;
  metadata: Record<string, string>;
  dataStart: number;
} {
  if (src.size < 8) throw new SafetensorsError("the file is shorter than its 8-byte header length");
  const head = src.read(0, 8);
  const length = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true);
  if (length > BigInt(Math.min(MAX_HEADER_BYTES, src.size - 8))) {
    throw new SafetensorsError(
      `the header length ${length} runs past the end of the file (${src.size} bytes) or the ${MAX_HEADER_BYTES}-byte limit`,
    );
  }
  const n = Number(length);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(src.read(8, n)));
  } catch {
    throw new SafetensorsError("the header is not valid JSON");
  }
  if (typeof header !== "object" || header === null || Array.isArray(header))
    throw new SafetensorsError("the header is not a JSON object");
  const dataSize = src.size - 8 - n;
  const entries = new Map<string, Entry>();
  const metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name !== "__metadata__") entries.set(name, readEntry(name, entry, dataSize));
    else if (typeof entry === "object" && entry !== null) {
      for (const [k, v] of Object.entries(entry as object))
        if (typeof v === "string")
          Object.defineProperty(metadata, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
  }
  return { entries, metadata, dataStart: 8 + n };
}

/**
 * Reads safetensors of any dtype from a source, one tensor's bytes at a time; throws
 * {@link SafetensorsError} on malformed input (never another error, never past the source's end).
 */
export function readSafetensorsFrom(src: ByteSource): {
  tensors: Map<string, AnyTensor>;
  metadata: Record<string, string>;
} {
  const { entries, metadata, dataStart } = readHeader(src);
  const tensors = new Map<string, AnyTensor>();
  for (const [name, e] of entries) {
    const [begin, end] = e.data_offsets;
    const count = e.shape.reduce((a, b) => a * b, 1);
    tensors.set(name, {
      dtype: e.dtype,
      shape: e.shape,
      values: decodeValues(e.dtype, src.read(dataStart + begin, end - begin), count),
    });
  }
  return { tensors, metadata };
}

/** A safetensors file read from disk, or why not: `malformed` tells a bad file from an unreadable one. */
export type SafetensorsRead =
  | { readonly ok: true; readonly tensors: Map<string, AnyTensor>; readonly metadata: Record<string, string> }
  | { readonly ok: false; readonly malformed: boolean; readonly reason: string };

/**
 * Reads a safetensors file under `policy` (contained, a regular file, within its cap), streaming: the
 * header first, then each tensor's bytes, so the raw file is never held whole in memory.
 */
export function readSafetensorsFile(path: string, policy: ReadPolicy): SafetensorsRead {
  const file = openChecked(path, policy);
  if (!file.ok) return { ok: false, malformed: false, reason: file.reason };
  try {
    const src: ByteSource = { size: file.size, read: (at, n) => readAt(file, at, n) };
    return { ok: true, ...readSafetensorsFrom(src) };
  } catch (e) {
    if (e instanceof SafetensorsError) return { ok: false, malformed: true, reason: e.message };
    return { ok: false, malformed: false, reason: errnoReason(e) };
  } finally {
    closeFile(file);
  }
}

/** Reads safetensors bytes of any dtype; throws {@link SafetensorsError} on malformed input. */
export function readSafetensors(bytes: Uint8Array): {
  tensors: Map<string, AnyTensor>;
  metadata: Record<string, string>;
} {
  return readSafetensorsFrom(memorySource(bytes));
}

/** Decodes float32 safetensors bytes; throws {@link SafetensorsError} on malformed input or another dtype. */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsFile {
  const { tensors, metadata } = readSafetensors(bytes);
  const out = new Map<string, F32Tensor>();
  for (const [name, t] of tensors) {
    if (t.dtype !== "F32" || t.values === null)
      throw new SafetensorsError(`tensor \`${name}\` has dtype ${t.dtype}, not F32`);
    out.set(name, { shape: t.shape, values: t.values });
  }
  return { tensors: out, metadata };
}
