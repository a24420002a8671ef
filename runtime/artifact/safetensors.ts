/**
 * The safetensors format, written and read for float32 tensors: an 8-byte little-endian header length,
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
export function encodeSafetensors(tensors: ReadonlyMap<string, F32Tensor>, metadata: Record<string, string> = {}): Uint8Array {
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

function isEntry(e: unknown): e is Entry {
  const x = e as Entry;
  return typeof x === "object" && x !== null && typeof x.dtype === "string" && Array.isArray(x.shape) &&
    x.shape.every((n) => Number.isInteger(n) && n >= 0) && Array.isArray(x.data_offsets) && x.data_offsets.length === 2;
}

function readHeader(bytes: Uint8Array): [Record<string, unknown>, Uint8Array] {
  if (bytes.byteLength < 8) throw new SafetensorsError("the file is shorter than its 8-byte header length");
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (8 + length > bytes.byteLength) throw new SafetensorsError(`the header length ${length} runs past the end of the file`);
  try {
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as Record<string, unknown>;
    return [header, bytes.subarray(8 + length)];
  } catch {
    throw new SafetensorsError("the header is not valid JSON");
  }
}

/** Decodes float32 safetensors bytes; throws {@link SafetensorsError} on malformed input. */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsFile {
  const [header, data] = readHeader(bytes);
  const tensors = new Map<string, F32Tensor>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    if (!isEntry(entry)) throw new SafetensorsError(`the header entry of \`${name}\` is malformed`);
    if (entry.dtype !== "F32") throw new SafetensorsError(`tensor \`${name}\` has dtype ${entry.dtype}, not F32`);
    const count = entry.shape.reduce((a, b) => a * b, 1);
    const [begin, end] = entry.data_offsets;
    if (begin < 0 || end - begin !== count * 4 || end > data.byteLength) {
      throw new SafetensorsError(`tensor \`${name}\` has data offsets that do not fit its shape or the file`);
    }
    const view = new DataView(data.buffer, data.byteOffset + begin, end - begin);
    const values = new Float32Array(count);
    for (let i = 0; i < count; i++) values[i] = view.getFloat32(i * 4, true);
    tensors.set(name, { shape: entry.shape, values });
  }
  const meta = header["__metadata__"];
  const metadata: Record<string, string> = {};
  if (typeof meta === "object" && meta !== null) {
    for (const [k, v] of Object.entries(meta)) if (typeof v === "string") metadata[k] = v;
  }
  return { tensors, metadata };
}
