import { describe, expect, it } from "vitest";
import { halfToFloat, parseSafetensors } from "../safetensors.ts";

function file(header: object, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe("parseSafetensors", () => {
  it("decodes F32, F16 and BF16 tensors to float32 and keeps integer tensors undecoded", () => {
    const data = new Uint8Array(4 + 4 + 4 + 8);
    const view = new DataView(data.buffer);
    view.setFloat32(0, 1.5, true);
    view.setUint16(4, 0x3c00, true); // 1.0
    view.setUint16(6, 0xc000, true); // -2.0
    view.setUint16(8, 0x3f80, true); // bf16 1.0
    view.setUint16(10, 0x4040, true); // bf16 3.0
    const header = {
      __metadata__: { format: "pt" },
      a: { dtype: "F32", shape: [1], data_offsets: [0, 4] },
      h: { dtype: "F16", shape: [2], data_offsets: [4, 8] },
      b: { dtype: "BF16", shape: [2], data_offsets: [8, 12] },
      i: { dtype: "I64", shape: [1], data_offsets: [12, 20] },
    };
    const result = parseSafetensors(file(header, data), "x.safetensors");
    expect(result.diagnostics).toEqual([]);
    expect(Array.from(result.value!.get("a")!.values!)).toEqual([1.5]);
    expect(Array.from(result.value!.get("h")!.values!)).toEqual([1, -2]);
    expect(Array.from(result.value!.get("b")!.values!)).toEqual([1, 3]);
    expect(result.value!.get("i")!.values).toBeNull();
  });

  it("rejects offsets that do not fit the shape with ADAPT963", () => {
    const header = { a: { dtype: "F32", shape: [2], data_offsets: [0, 4] } };
    const result = parseSafetensors(file(header, new Uint8Array(8)), "x.safetensors");
    expect(result.value).toBeNull();
    expect(result.diagnostics[0]?.code).toBe("ADAPT963");
    expect(result.diagnostics[0]?.file).toBe("x.safetensors");
  });

  it("rejects a header that is not JSON with ADAPT963", () => {
    const bytes = new Uint8Array(12);
    new DataView(bytes.buffer).setBigUint64(0, 4n, true);
    expect(parseSafetensors(bytes, "x").diagnostics[0]?.message).toContain("not valid JSON");
  });
});

describe("halfToFloat", () => {
  it("decodes subnormals, infinities and NaN", () => {
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x7c00)).toBe(Infinity);
    expect(halfToFloat(0xfc00)).toBe(-Infinity);
    expect(halfToFloat(0x7e00)).toBeNaN();
    expect(halfToFloat(0x7bff)).toBe(65504);
  });
});
