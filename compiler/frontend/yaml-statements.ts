/**
 * The YAML spec form, entry by entry: each top-level key's value written as `.adapt` statements
 * through the `Emitter`. Structural mistakes are ADAPT004 at the YAML node; everything else is left to
 * the ordinary checks of the generated statements.
 */
import { isMap, isScalar, isSeq, type Node as YNode, type Pair, type YAMLMap } from "yaml";
import { didYouMean } from "../diagnostics/suggest.ts";
import { ADAPTER_ARGS } from "../kinds/registry.ts";
import { HEAD_ARGS, type ArgTable, type ValueSpec } from "../schema/args.ts";
import { PLAN_KEYS } from "../schema/plan-keys.ts";
import type { Emitter } from "./yaml-emit.ts";

/** The top-level keys of a YAML spec. */
export const TOP_KEYS = ["model", "adapters", "insert", "apply", "size", "rules", "head", "plan"];

const WORD = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

function entries(node: YNode | null): [string, YNode | null, YNode][] {
  if (!isMap(node)) return [];
  return ((node as YAMLMap).items as Pair[]).map((p) => [
    isScalar(p.key) ? String(p.key.value) : "",
    (p.value ?? null) as YNode | null,
    p.key as YNode,
  ]);
}

function get(node: YNode | null, key: string): YNode | null {
  return entries(node).find(([k]) => k === key)?.[1] ?? null;
}

function str(node: YNode | null): string | null {
  return isScalar(node) && typeof node.value === "string" ? node.value : null;
}

/** A quoted `.adapt` string, or null when the text has a line break (reported). */
function quoted(em: Emitter, node: YNode, text: string): string | null {
  if (/[\r\n]/.test(text)) {
    em.error("ADAPT004", node, "a string in a spec cannot contain a line break");
    return null;
  }
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** A scalar or list or `{kind, ...}` value as `.adapt` text; `spec` decides bare words or quotes. */
function valueText(em: Emitter, node: YNode | null, spec?: ValueSpec): string | null {
  if (isSeq(node)) {
    const items = node.items.map((x) => valueText(em, x as YNode, undefined));
    return items.every((x) => x !== null) ? `[${items.join(", ")}]` : null;
  }
  if (isMap(node)) return callText(em, node, undefined);
  if (!isScalar(node)) {
    em.error("ADAPT004", node, "expected a value");
    return null;
  }
  const v = node.value;
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : null;
  const text = String(v);
  const bare =
    spec === undefined ? NAME.test(text) && typeof v !== "string" : spec.type === "enum" || spec.type === "ctor";
  return bare && NAME.test(text) ? text : quoted(em, node, text);
}

/** `{kind: k, a: 1}` as `k(a: 1)`; argument types come from `table` when known. */
function callText(em: Emitter, node: YNode, tables?: Record<string, ArgTable>): string | null {
  const kind = str(get(node, "kind"));
  if (kind === null || !WORD.test(kind)) {
    em.error("ADAPT004", node, "this mapping needs a `kind` naming what it constructs");
    return null;
  }
  const args = argsText(em, node, tables?.[kind], ["kind"]);
  return args === null ? null : `${kind}(${args})`;
}

/** `key: value, ...` from a mapping, leaving out `skip` keys. */
function argsText(em: Emitter, node: YNode, table: ArgTable | undefined, skip: readonly string[]): string | null {
  const parts: string[] = [];
  for (const [k, v, keyNode] of entries(node)) {
    if (skip.includes(k)) continue;
    if (!WORD.test(k)) {
      em.error("ADAPT004", keyNode, `\`${k}\` is not a valid argument name`);
      return null;
    }
    const spec = table && Object.hasOwn(table, k) ? table[k]!.value : undefined;
    const text =
      spec?.type === "ctor" && isMap(v)
        ? callText(em, v, spec.table as Record<string, ArgTable>)
        : valueText(em, v, spec ?? { type: "string" });
    if (text === null) return null;
    parts.push(`${k}: ${text}`);
  }
  return parts.join(", ");
}

function checkKeys(em: Emitter, node: YNode | null, allowed: readonly string[], what: string): boolean {
  if (!isMap(node)) {
    em.error("ADAPT004", node, `each \`${what}\` entry is a mapping`);
    return false;
  }
  for (const [k, , keyNode] of entries(node)) {
    if (!allowed.includes(k)) {
      em.error(
        "ADAPT004",
        keyNode,
        `unknown key \`${k}\` in a \`${what}\` entry`,
        didYouMean(k, allowed) ?? `use ${allowed.map((a) => `\`${a}\``).join(", ")}`,
      );
      return false;
    }
  }
  return true;
}

/** ` in layers 0, 2..4` from an entry's `layers` key (a number, a range string or a list), when present. */
function emitLayers(em: Emitter, entry: YNode): void {
  const layers = get(entry, "layers");
  if (layers === null) return;
  const t = isSeq(layers)
    ? layers.items.map((x) => (isScalar(x) ? String(x.value) : "?")).join(", ")
    : isScalar(layers)
      ? String(layers.value)
      : "?";
  em.put(" in layers ");
  em.put(/^[\d\s.,]+$/.test(t) ? t : "?", layers);
}

/** `"glob"` or `/regex/` plus `in layers`, `where type =`, `expect` from an entry's keys. */
function selectorText(em: Emitter, entry: YNode, patternNode: YNode | null): boolean {
  const pattern = str(patternNode);
  if (pattern === null || patternNode === null) {
    em.error("ADAPT004", patternNode ?? entry, "a selector is a string: a glob or a `/regex/`");
    return false;
  }
  const regex = /^\/.*\/[a-z]*$/.test(pattern) && !/[\r\n]/.test(pattern);
  const text = regex ? pattern : quoted(em, patternNode, pattern);
  if (text === null) return false;
  em.put(text, patternNode);
  emitLayers(em, entry);
  const type = get(entry, "type");
  if (type !== null) {
    em.put(" where type = ");
    em.put(WORD.test(str(type) ?? "") ? str(type)! : "?", type);
  }
  const expect = get(entry, "expect");
  if (expect !== null) {
    em.put(" expect ");
    em.put(isScalar(expect) && typeof expect.value === "number" ? String(expect.value) : "?", expect);
  }
  return true;
}

function list(em: Emitter, node: YNode | null, key: string): YNode[] {
  if (isSeq(node)) return node.items as YNode[];
  em.error("ADAPT004", node, `\`${key}\` is a list of entries`);
  return [];
}

function adapterRef(em: Emitter, entry: YNode): boolean {
  const name = get(entry, "adapter");
  if (!WORD.test(str(name) ?? "")) {
    em.error("ADAPT004", name ?? entry, "the entry needs `adapter: NAME`");
    return false;
  }
  em.put(str(name)!, name);
  return true;
}

function emitPlacement(em: Emitter, entry: YNode, key: "insert" | "apply"): void {
  const positions = key === "insert" ? ["after", "before", "parallel"] : ["to"];
  if (!checkKeys(em, entry, ["adapter", ...positions, "layers", "type", "expect"], key)) return;
  const position = positions.find((p) => get(entry, p) !== null);
  if (position === undefined)
    return em.error(
      "ADAPT004",
      entry,
      `the \`${key}\` entry needs one of ${positions.map((p) => `\`${p}\``).join(", ")}`,
    );
  em.begin(entry);
  em.put(`${key} `);
  if (!adapterRef(em, entry)) return em.drop();
  em.put(` ${position} `);
  if (!selectorText(em, entry, get(entry, position))) return em.drop();
  em.end();
}

function emitSize(em: Emitter, entry: YNode): void {
  if (!checkKeys(em, entry, ["adapter", "value", "layers"], "size")) return;
  em.begin(entry);
  em.put("size ");
  if (!adapterRef(em, entry)) return em.drop();
  const value = get(entry, "value");
  const raw = str(value);
  const text =
    raw !== null && /^\s*[A-Za-z_]\w*\s*\/\s*[\d.eE+-]+\s*$/.test(raw)
      ? raw.trim()
      : valueText(em, value, { type: "int" });
  if (text === null) return em.drop();
  em.put(" = ");
  em.put(text, value);
  emitLayers(em, entry);
  em.end();
}

function emitRule(em: Emitter, entry: YNode): void {
  if (!checkKeys(em, entry, ["train", "freeze", "layers", "type", "expect"], "rules")) return;
  const action = ["train", "freeze"].find((a) => get(entry, a) !== null);
  if (action === undefined) return em.error("ADAPT004", entry, "a rule needs `train:` or `freeze:`");
  const target = get(entry, action);
  em.begin(entry);
  em.put(`${action} `);
  const t = str(target);
  if (t === "all" || t === "adapters" || t === "head") em.put(t, target);
  else if (!selectorText(em, entry, target)) return em.drop();
  em.end();
}

function emitCtorStatement(
  em: Emitter,
  keyword: string,
  name: string | null,
  node: YNode | null,
  tables: Record<string, ArgTable>,
): void {
  em.begin(node);
  em.put(name === null ? `${keyword} ` : `${keyword} ${name} = `);
  const call = node ? callText(em, node, tables) : null;
  if (call === null) return em.drop();
  em.put(call, node);
  em.end();
}

function emitPlan(em: Emitter, node: YNode | null): void {
  em.begin(node);
  em.put("plan {");
  em.end();
  for (const [key, value, keyNode] of entries(node)) {
    const spec = Object.hasOwn(PLAN_KEYS, key) ? PLAN_KEYS[key] : undefined;
    em.begin(keyNode);
    em.put(WORD.test(key) ? key : "?", keyNode);
    em.put(" ");
    let text: string | null;
    if (spec?.form === "pairs") text = isMap(value) ? argsText(em, value, spec.table, []) : valueText(em, value);
    else if (spec?.form === "ctor")
      text = isMap(value)
        ? callText(em, value, spec.table as Record<string, ArgTable>)
        : valueText(em, value, { type: "ctor", table: spec.table });
    else if (spec?.form === "names")
      text = isSeq(value)
        ? value.items.map((x) => (isScalar(x) ? String(x.value) : "?")).join(", ")
        : (str(value) ?? valueText(em, value));
    else if (spec?.form === "select")
      text = NAME.test((str(value) ?? "").replace(/ /g, "")) ? str(value) : valueText(em, value);
    else text = valueText(em, value, spec?.form === "value" ? spec.value : undefined);
    if (text === null) em.drop();
    else {
      em.put(text, value);
      em.end();
    }
  }
  em.begin(node);
  em.put("}");
  em.end();
}

/** Writes the statements of one top-level key. */
export function emitStatements(em: Emitter, key: string, value: YNode | null, keyNode: YNode): void {
  switch (key) {
    case "model": {
      em.begin(value ?? keyNode);
      const q = str(value) !== null ? quoted(em, value!, str(value)!) : null;
      if (q === null) {
        if (str(value) === null) em.error("ADAPT004", value ?? keyNode, "`model` is the path of a model.json file");
        return em.drop();
      }
      em.put("model ");
      em.put(q, value);
      return em.end();
    }
    case "adapters":
      if (!isMap(value))
        return em.error(
          "ADAPT004",
          value ?? keyNode,
          "`adapters` maps each adapter's name to its `kind` and arguments",
        );
      for (const [name, decl, nameNode] of entries(value)) {
        if (!WORD.test(name)) em.error("ADAPT004", nameNode, `\`${name}\` is not a valid adapter name`);
        else emitCtorStatement(em, "adapter", name, decl, ADAPTER_ARGS as Record<string, ArgTable>);
      }
      return;
    case "insert":
    case "apply":
      for (const entry of list(em, value, key)) emitPlacement(em, entry, key);
      return;
    case "size":
      for (const entry of list(em, value, key)) emitSize(em, entry);
      return;
    case "rules":
      for (const entry of list(em, value, key)) emitRule(em, entry);
      return;
    case "head":
      return emitCtorStatement(em, "head", null, value, HEAD_ARGS as Record<string, ArgTable>);
    case "plan":
      if (!isMap(value)) return em.error("ADAPT004", value ?? keyNode, "`plan` is a mapping of plan keys");
      return emitPlan(em, value);
  }
}
