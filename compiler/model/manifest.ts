/**
 * The manifest reader: `model.json` text (or already parsed, untrusted JSON) to a `ModelManifest`.
 * Reads the Keras topology (`Sequential` or functional, under `modelTopology` or
 * `modelTopology.model_config`) and the weights manifest; never loads weight bytes. Malformed input
 * gives ADAPT126 naming the file; nothing throws.
 */
import { diag, FILE_START, type Diagnostic, type StageResult } from "../diagnostics/diagnostic.ts";
import { canonicalJson, sha256 } from "../lower/sha256.ts";
import { modelJsonValidator } from "./manifest-schema.ts";
import { checkTree, parseSafeJson } from "./safe-json.ts";
import { declaredInputShape, field, inferShape } from "./shapes.ts";
import { readLayers, type RawLayer } from "./topology.ts";
import { layerIndexOf, shapeSize, type LayerInfo, type ModelManifest, type Shape, type WeightInfo } from "./types.ts";

/** Reads a model manifest from `model.json` text or parsed JSON; `file` names the model in diagnostics. */
export function readManifest(input: string | unknown, file: string): StageResult<ModelManifest | null> {
  const fail = (message: string): StageResult<null> => ({
    value: null,
    diagnostics: [{ ...diag("ADAPT126", FILE_START, message), file }],
  });
  const safe = typeof input === "string" ? parseSafeJson(input) : checkTree(input);
  if (!safe.ok) return fail(`the model file \`${file}\` is malformed: ${safe.reason}`);
  const validate = modelJsonValidator();
  if (!validate(safe.value)) {
    const e = validate.errors?.[0];
    const where = e?.instancePath ? ` at \`${e.instancePath}\`` : "";
    return fail(`the model file \`${file}\` is not a TensorFlow.js LayersModel: ${e?.message ?? "invalid"}${where}`);
  }
  const topology = field(safe.value, "modelTopology");
  const graph = field(topology, "model_config") ?? topology;
  const raw = readLayers(graph);
  if (!raw.ok) return fail(`the model file \`${file}\` is malformed: ${raw.reason}`);
  const weights = readWeights(field(safe.value, "weightsManifest"), raw.layers);
  const layers = buildLayers(raw.layers, weights);
  if (!layers.ok) return fail(`the model file \`${file}\` is malformed: ${layers.reason}`);
  const byPath = new Map(layers.layers.map((l) => [l.path, l] as const));
  const manifest: ModelManifest = {
    file,
    className: raw.className,
    name: raw.name,
    layers: layers.layers,
    byPath,
    weights,
    inputs: raw.inputs,
    outputs: raw.outputs,
    classes: new Set(layers.layers.map((l) => l.className)),
    layerIndices: [...new Set(layers.layers.map((l) => l.layerIndex).filter((i): i is number => i !== null))].sort(
      (a, b) => a - b,
    ),
    params: weights.reduce((s, w) => s + w.params, 0),
    fingerprint: sha256(canonicalJson({ topology: graph, weights: weights.map((w) => [w.name, w.shape, w.dtype]) })),
  };
  return { value: manifest, diagnostics: [] as Diagnostic[] };
}

function readWeights(manifest: unknown, layers: readonly RawLayer[]): WeightInfo[] {
  const names = new Set(layers.map((l) => l.name));
  const out: WeightInfo[] = [];
  for (const group of Array.isArray(manifest) ? manifest : []) {
    for (const w of field(group, "weights") as { name: string; shape: number[]; dtype: string }[]) {
      out.push({
        name: w.name,
        layer: ownerOf(w.name, names),
        shape: [...w.shape],
        dtype: w.dtype,
        params: shapeSize(w.shape),
      });
    }
  }
  return out;
}

/** The layer that owns a weight: the longest name prefix ending before a `/` that is a layer. */
function ownerOf(weight: string, layers: ReadonlySet<string>): string {
  for (let i = weight.lastIndexOf("/"); i > 0; i = weight.lastIndexOf("/", i - 1)) {
    const prefix = weight.slice(0, i);
    if (layers.has(prefix)) return prefix;
  }
  return "";
}

type Built = { ok: true; layers: LayerInfo[] } | { ok: false; reason: string };

function buildLayers(raw: readonly RawLayer[], weights: readonly WeightInfo[]): Built {
  const byLayer = new Map<string, WeightInfo[]>();
  for (const w of weights) {
    const list = byLayer.get(w.layer) ?? [];
    list.push(w);
    byLayer.set(w.layer, list);
  }
  const order = topologicalOrder(raw);
  if (!order.ok) return order;
  const shapes = new Map<string, Shape | null>();
  const out: LayerInfo[] = [];
  for (const l of order.layers) {
    const own = byLayer.get(l.name) ?? [];
    const inputs = l.inbound.map((n) => shapes.get(n) ?? null);
    if (l.inbound.length === 0 && l.className !== "InputLayer") inputs.push(declaredInputShape(l.config));
    const shape = inferShape(l.className, l.config, inputs, own);
    shapes.set(l.name, shape);
    const kernel = own.find((w) => w.name === `${l.name}/kernel` && w.shape.length === 2);
    out.push({
      path: l.name,
      className: l.className,
      order: out.length,
      inbound: l.inbound,
      outputShape: shape,
      layerIndex: layerIndexOf(l.name),
      kernelShape: kernel ? [kernel.shape[0]!, kernel.shape[1]!] : null,
      weights: own,
      params: own.reduce((s, w) => s + w.params, 0),
    });
  }
  return { ok: true, layers: out };
}

/** Kahn's algorithm, keeping the file's order among ready layers; a cycle is malformed. */
function topologicalOrder(raw: readonly RawLayer[]): { ok: true; layers: RawLayer[] } | { ok: false; reason: string } {
  const byName = new Map(raw.map((l) => [l.name, l] as const));
  const waiting = new Map<string, number>();
  const consumers = new Map<string, RawLayer[]>();
  for (const l of raw) {
    for (const n of l.inbound) {
      if (!byName.has(n)) return { ok: false, reason: `layer \`${l.name}\` reads from \`${n}\`, which is not a layer` };
      consumers.set(n, [...(consumers.get(n) ?? []), l]);
    }
    waiting.set(l.name, new Set(l.inbound).size);
  }
  const ready = raw.filter((l) => waiting.get(l.name) === 0);
  const out: RawLayer[] = [];
  for (let i = 0; i < ready.length; i++) {
    const l = ready[i]!;
    out.push(l);
    for (const c of new Set(consumers.get(l.name) ?? [])) {
      const left = waiting.get(c.name)! - 1;
      waiting.set(c.name, left);
      if (left === 0) ready.push(c);
    }
  }
  if (out.length < raw.length) return { ok: false, reason: "its layers form a cycle" };
  return { ok: true, layers: out };
}
