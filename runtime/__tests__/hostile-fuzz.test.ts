/**
 * Fuzzing the three readers of untrusted files (issue 13): `model.json` (the compiler's manifest reader
 * and the runtime's loader checks), safetensors, and adapter artifacts. Thousands of mutated files per
 * run (`ADAPT_FUZZ_RUNS`, default 2000 a property; half for the 76 KB model.json's structural one),
 * structural (a value anywhere replaced, a key removed, a `__proto__` key added) and byte-level (flips,
 * truncation, a rewritten header length); every outcome must be a value or coded diagnostics.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readManifest } from "../../compiler/model/manifest.ts";
import { CODES } from "../../compiler/diagnostics/codes.ts";
import { encodeSafetensors, readSafetensors, SafetensorsError } from "../artifact/safetensors.ts";
import { validateArtifact, weightsChecksum } from "../artifact/validate.ts";
import { sha256 } from "../../compiler/lower/sha256.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const MODEL = readFileSync(join(ROOT, "compiler/__tests__/fixtures/tiny-bert/model.json"), "utf8");
const RUNS = Number(process.env["ADAPT_FUZZ_RUNS"] ?? 2000);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path (list of keys and indices) into a JSON value, in a stable order. */
function paths(v: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v !== null && typeof v === "object") for (const k of Object.keys(v)) paths(v[k]!, [...at, k], out);
  return out;
}

/** A mutation: replace the value at a path, delete it, or set a hostile key beside it. */
const mutation = fc.record({
  pick: fc.nat(),
  kind: fc.constantFrom("replace", "delete", "proto", "huge"),
  value: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
});

const pathCache = new WeakMap<object, (string | number)[][]>();

/** Applies mutations at paths of the original document (a path an earlier mutation removed is skipped). */
function mutate(doc: Json, ms: readonly { pick: number; kind: string; value: Json }[]): Json {
  let all = pathCache.get(doc as object);
  if (all === undefined) pathCache.set(doc as object, (all = paths(doc)));
  let root = JSON.parse(JSON.stringify(doc)) as Json;
  for (const m of ms) {
    const path = all[m.pick % all.length]!;
    if (path.length === 0) {
      root = m.kind === "replace" ? structuredClone(m.value) : root;
      continue;
    }
    let parent: Json = root;
    for (const k of path.slice(0, -1))
      parent =
        parent !== null && typeof parent === "object" ? ((parent as Record<string | number, Json>)[k] ?? null) : null;
    if (parent === null || typeof parent !== "object") continue;
    const key = path[path.length - 1]!;
    if (m.kind === "delete")
      Array.isArray(parent) ? parent.splice(key as number, 1) : delete (parent as Record<string, Json>)[key];
    else if (m.kind === "huge") (parent as Record<string | number, Json>)[key] = 2 ** 60 + 1;
    else if (m.kind === "proto" && !Array.isArray(parent))
      Object.defineProperty(parent, "__proto__", {
        value: structuredClone(m.value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else (parent as Record<string | number, Json>)[key] = structuredClone(m.value);
  }
  return root;
}

/** Byte-level edits: flips at positions, then an optional truncation. */
const byteEdits = fc.record({
  flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 6 }),
  cut: fc.option(fc.nat()),
});

function editBytes(bytes: Uint8Array, e: { flips: [number, number][]; cut: number | null }): Uint8Array {
  const out = bytes.slice();
  for (const [at, x] of e.flips) out[at % out.length]! ^= x;
  return e.cut === null ? out : out.subarray(0, e.cut % (out.length + 1));
}

function expectCoded(codes: readonly string[], allowed: readonly string[]): void {
  for (const c of codes) {
    expect(Object.hasOwn(CODES, c)).toBe(true);
    expect(allowed).toContain(c);
  }
}

describe("fuzzing the model.json reader", () => {
  it("gives a manifest or ADAPT126/ADAPT130 for structurally mutated files", () => {
    const doc = JSON.parse(MODEL) as Json;
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => {
        const r = readManifest(JSON.stringify(mutate(doc, ms)), "m.json");
        expect(r.value === null ? r.diagnostics.length : 0).toBeGreaterThanOrEqual(r.value === null ? 1 : 0);
        expectCoded(
          r.diagnostics.map((d) => d.code),
          ["ADAPT126", "ADAPT130"],
        );
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  }, 120_000);

  it("gives a manifest or ADAPT126 for byte-mutated text", () => {
    const bytes = new TextEncoder().encode(MODEL);
    fc.assert(
      fc.property(byteEdits, (e) => {
        const text = new TextDecoder().decode(editBytes(bytes, e));
        expectCoded(
          readManifest(text, "m.json").diagnostics.map((d) => d.code),
          ["ADAPT126", "ADAPT130"],
        );
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});

const TENSORS = new Map([
  ["a/kernel", { shape: [4, 3], values: Float32Array.from({ length: 12 }, (_, i) => i / 7) }],
  ["a/bias", { shape: [3], values: Float32Array.from([1, -2, 3]) }],
  ["b", { shape: [2, 1, 2], values: Float32Array.from([0.5, 0.25, -1, 8]) }],
]);
const SAFETENSORS = encodeSafetensors(TENSORS, { format: "adapt-adapter" });

describe("fuzzing the safetensors reader", () => {
  it("reads or throws SafetensorsError for byte-mutated files, header length included", () => {
    fc.assert(
      fc.property(byteEdits, fc.option(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })), (e, length) => {
        const bytes = editBytes(SAFETENSORS, e);
        if (length !== null && bytes.byteLength >= 8)
          new DataView(bytes.buffer, bytes.byteOffset).setBigUint64(0, length, true);
        try {
          const r = readSafetensors(bytes);
          for (const t of r.tensors.values())
            expect(t.shape.reduce((a, b) => a * b, 1)).toBeLessThanOrEqual(bytes.byteLength);
        } catch (err) {
          expect(err).toBeInstanceOf(SafetensorsError);
        }
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it("reads or throws SafetensorsError for structurally mutated headers", () => {
    const n = Number(new DataView(SAFETENSORS.buffer).getBigUint64(0, true));
    const head = JSON.parse(new TextDecoder().decode(SAFETENSORS.subarray(8, 8 + n))) as Json;
    const data = SAFETENSORS.subarray(8 + n);
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (ms) => {
        const json = new TextEncoder().encode(JSON.stringify(mutate(head, ms)));
        const bytes = new Uint8Array(8 + json.byteLength + data.byteLength);
        new DataView(bytes.buffer).setBigUint64(0, BigInt(json.byteLength), true);
        bytes.set(json, 8);
        bytes.set(data, 8 + json.byteLength);
        try {
          readSafetensors(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(SafetensorsError);
        }
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});

/** A valid artifact description for {@link TENSORS}: a head-free plan with no operations. */
function meta(): Json {
  const text = "# fuzz\n";
  const weights = [...TENSORS].map(([name, t]) => ({
    name,
    owner: "base",
    layer: name.split("/")[0]!,
    shape: [...t.shape],
    params: t.values.length,
    trainable: true,
    rule: null,
  }));
  return {
    format: "adapt-adapter",
    version: 2,
    spec: { file: "f.adapt", text },
    plan: {
      version: 1,
      spec: { file: "f.adapt", sha256: sha256(text), text },
      model: { path: "model.json", className: "Functional", fingerprint: "0".repeat(64), params: 19 },
      operations: [],
      weights,
      head: null,
      plan: null,
      totals: { base: 19, added: 0, head: 0, trainable: 19, trainablePercent: 100 },
    },
    base: { structure: "1".repeat(64), values: "2".repeat(64), manifest: [["a/kernel", [4, 3], "float32"]] },
    weights: [...TENSORS.keys()],
    seed: 3,
    weightsSha256: weightsChecksum(SAFETENSORS),
  } as Json;
}

describe("fuzzing the artifact reader", () => {
  const files = { meta: "adapter.json", weights: "adapter.safetensors" };

  it("accepts the unmutated artifact", () => {
    expect(validateArtifact(meta(), SAFETENSORS, files).diagnostics).toEqual([]);
  });

  it("validates or gives ADAPT931/936/937 for mutated descriptions and weights", () => {
    const base = meta();
    fc.assert(
      fc.property(fc.array(mutation, { maxLength: 4 }), byteEdits, fc.boolean(), (ms, e, rechecksum) => {
        const bytes = editBytes(SAFETENSORS, e);
        const m = mutate(base, ms) as Record<string, Json>;
        if (rechecksum && m !== null && typeof m === "object" && !Array.isArray(m))
          m["weightsSha256"] = weightsChecksum(bytes);
        const parsed = JSON.parse(JSON.stringify(m)) as unknown;
        const r = validateArtifact(parsed, bytes, files);
        if (r.value === null) expect(r.diagnostics.length).toBeGreaterThan(0);
        expectCoded(
          r.diagnostics.map((d) => d.code),
          ["ADAPT931", "ADAPT936", "ADAPT937"],
        );
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});
