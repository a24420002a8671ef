/**
 * Reads the layer list of a Keras topology (`Sequential` or functional) from validated but untrusted
 * JSON: names, classes, configs and the first inbound node of each layer.
 */
import { field } from "./shapes.ts";

/** One layer as the topology states it. */
export interface RawLayer {
  readonly name: string;
  readonly className: string;
  readonly config: unknown;
  readonly inbound: readonly string[];
}

/** The layers of a topology, or the reason it cannot be read. */
export type RawTopology =
  | { ok: true; className: string; name: string; layers: RawLayer[]; inputs: string[]; outputs: string[] }
  | { ok: false; reason: string };

/** Reads `{class_name, config}` of a LayersModel. */
export function readLayers(graph: unknown): RawTopology {
  const className = field(graph, "class_name") as string;
  const config = field(graph, "config");
  const list = (Array.isArray(config) ? config : field(config, "layers")) as unknown[];
  const name = typeof field(config, "name") === "string" ? (field(config, "name") as string) : "model";
  const sequential = className === "Sequential" || !list.some((l) => field(l, "inbound_nodes") !== undefined);
  const layers: RawLayer[] = [];
  const seen = new Set<string>();
  for (const [i, l] of list.entries()) {
    const lname = layerName(l);
    if (lname === null) return { ok: false, reason: `layer ${i + 1} has no name` };
    if (seen.has(lname)) return { ok: false, reason: `two layers are named \`${lname}\`` };
    seen.add(lname);
    const prev = layers[layers.length - 1];
    const inbound = sequential ? (prev ? [prev.name] : []) : inboundOf(field(l, "inbound_nodes"));
    if (inbound === null) return { ok: false, reason: `layer \`${lname}\` has malformed inbound nodes` };
    layers.push({ name: lname, className: field(l, "class_name") as string, config: field(l, "config"), inbound });
  }
  if (layers.length === 0) return { ok: false, reason: "it has no layers" };
  const first = layers[0]!.name;
  const last = layers[layers.length - 1]!.name;
  const inputs = sequential ? [first] : endpointNames(field(config, "input_layers"));
  const outputs = sequential ? [last] : endpointNames(field(config, "output_layers"));
  return { ok: true, className, name, layers, inputs, outputs: outputs.length > 0 ? outputs : [last] };
}

function layerName(l: unknown): string | null {
  const n = field(l, "name") ?? field(field(l, "config"), "name");
  return typeof n === "string" && n.length > 0 ? n : null;
}

/** Names in the first inbound node: Keras 2 `[[name, node, tensor, kwargs], ...]` or Keras 3 `{args}`. */
function inboundOf(nodes: unknown): string[] | null {
  if (nodes === undefined) return [];
  if (!Array.isArray(nodes)) return null;
  const node: unknown = nodes[0];
  if (node === undefined) return [];
  if (Array.isArray(node)) {
    const names = node.map((e: unknown) => (Array.isArray(e) && typeof e[0] === "string" ? e[0] : null));
    return names.every((n): n is string => n !== null) ? names : null;
  }
  const args = field(node, "args");
  if (Array.isArray(args)) return keras3Names(args);
  return null;
}

function keras3Names(args: unknown[]): string[] {
  const out: string[] = [];
  const stack: unknown[] = [...args];
  for (let steps = 0; stack.length > 0 && steps < 10000; steps++) {
    const a = stack.shift();
    if (Array.isArray(a)) stack.push(...a);
    const history = field(field(a, "config"), "keras_history");
    if (Array.isArray(history) && typeof history[0] === "string") out.push(history[0]);
  }
  return out;
}

function endpointNames(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  if (typeof v[0] === "string") return [v[0]];
  return v.filter((e): e is unknown[] => Array.isArray(e) && typeof e[0] === "string").map((e) => e[0] as string);
}
