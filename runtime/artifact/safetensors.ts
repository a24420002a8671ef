/**
 * The safetensors format (the one reader and writer of the project), written for float32 tensors and
 * read for any dtype: an 8-byte little-endian header length,
 * a JSON header `{name: {dtype, shape, data_offsets}, __metadata__: {string: string}}` padded with
 * spaces to a multiple of 8, then the raw little-endian data in header order.
 */

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
  json += " ".repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
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

const BYTES: Record<string, number> = {
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

function isEntry(e: unknown): e is Entry {
  const x = e as Entry;
  return (
    typeof x === "object" &&
    x !== null &&
    typeof x.dtype === "string" &&
    Array.isArray(x.shape) &&
    x.shape.every((n) => Number.isInteger(n) && n >= 0) &&
    Array.isArray(x.data_offsets) &&
    x.data_offsets.length === 2
  );
}

function readHeader(bytes: Uint8Array): [Record<string, unknown>, Uint8Array] {
  if (bytes.byteLength < 8) throw new SafetensorsError("the file is shorter than its 8-byte header length");
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (8 + length > bytes.byteLength)
    throw new SafetensorsError(`the header length ${length} runs past the end of the file`);
  try {
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as Record<string, unknown>;
    return [header, bytes.subarray(8 + length)];
  } catch {
    throw new SafetensorsError("the header is not valid JSON");
  }
}

/** Reads safetensors bytes of any dtype; throws {@link SafetensorsError} on malformed input. */
export function readSafetensors(bytes: Uint8Array): {
  tensors: Map<string, AnyTensor>;
  metadata: Record<string, string>;
} {
  const [header, data] = readHeader(bytes);
  const tensors = new Map<string, AnyTensor>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    if (!isEntry(entry)) throw new SafetensorsError(`the header entry of \`${name}\` is malformed`);
    const size = BYTES[entry.dtype];
    if (size === undefined) throw new SafetensorsError(`tensor \`${name}\` has the unknown dtype \`${entry.dtype}\``);
    const count = entry.shape.reduce((a, b) => a * b, 1);
    const [begin, end] = entry.data_offsets;
    if (begin < 0 || end - begin !== count * size || end > data.byteLength) {
      throw new SafetensorsError(`tensor \`${name}\` has data offsets that do not fit its shape or the file`);
    }
    tensors.set(name, {
      dtype: entry.dtype,
      shape: entry.shape,
      values: decodeValues(entry.dtype, data.subarray(begin, end), count),
    });
  }
  const meta = header["__metadata__"];
  const metadata: Record<string, string> = {};
  if (typeof meta === "object" && meta !== null) {
    for (const [k, v] of Object.entries(meta)) if (typeof v === "string") metadata[k] = v;
  }
  return { tensors, metadata };
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
