/**
 * Completion from the text before the cursor (the statement being typed rarely parses): statement
 * keywords, plan keys, adapter kinds and head kinds, argument keys of the constructor being called and
 * their values, declared adapter names, selector clauses, and layer paths from the spec's model.
 */
import { CompletionItemKind, type CompletionItem, type Position } from "vscode-languageserver";
import { HEAD_KINDS, KEYWORD_GROUPS } from "../../grammar/tokens.ts";
import { ADAPTER_ARGS, ADAPTER_KINDS } from "../../compiler/kinds/registry.ts";
import {
  DATA_ARGS,
  EARLY_STOPPING_ARGS,
  CHECKPOINT_ARGS,
  HEAD_ARGS,
  INIT_KINDS,
  OPTIMIZER_ARGS,
  SCHEDULE_ARGS,
  type ArgTable,
  type CtorTable,
} from "../../compiler/schema/args.ts";
import { PLAN_KEYS } from "../../compiler/schema/plan-keys.ts";
import type { DocumentState } from "./analysis.ts";

const CTORS: CtorTable = { ...ADAPTER_ARGS, ...HEAD_ARGS, ...INIT_KINDS, ...OPTIMIZER_ARGS, ...SCHEDULE_ARGS };
const PAIRS: Readonly<Record<string, ArgTable>> = {
  data: DATA_ARGS,
  early_stopping: EARLY_STOPPING_ARGS,
  checkpoint: CHECKPOINT_ARGS,
};
const ID = "[A-Za-z_][A-Za-z0-9_]*";

/** Completion items at `offset` in the document; `positionAt` maps offsets to LSP positions. */
export function completions(
  doc: DocumentState,
  offset: number,
  positionAt: (offset: number) => Position,
): CompletionItem[] {
  const before = doc.text.slice(0, offset);
  const line = before.slice(before.lastIndexOf("\n") + 1);
  const inPlan = insidePlan(before);
  const path = /(?:after|before|parallel|to|train|freeze)\s+"([^"]*)$/.exec(line);
  if (path) {
    const range = { start: positionAt(offset - path[1]!.length), end: positionAt(offset) };
    return layerPaths(doc, path[1]!).map((item) => ({
      ...item,
      filterText: item.label,
      textEdit: { range, newText: item.label },
    }));
  }
  if (/"/.test(line.replace(/"(?:[^"\\]|\\.)*"/g, ""))) return [];
  const call = openCall(before);
  if (call !== null) return callItems(call.callee, call.inside);
  if (inPlan) return planItems(line);
  return statementItems(doc, line);
}

function statementItems(doc: DocumentState, line: string): CompletionItem[] {
  if (new RegExp(`^\\s*(?:${ID})?$`).test(line)) return words(KEYWORD_GROUPS.statement, CompletionItemKind.Keyword);
  if (new RegExp(`^\\s*adapter\\s+${ID}\\s*=\\s*(?:${ID})?$`).test(line)) return kinds(ADAPTER_KINDS, ADAPTER_ARGS);
  if (new RegExp(`^\\s*head\\s+(?:${ID})?$`).test(line)) return kinds(HEAD_KINDS, HEAD_ARGS);
  if (new RegExp(`^\\s*(?:insert|apply|size)\\s+(?:${ID})?$`).test(line)) return adapterNames(doc);
  if (new RegExp(`^\\s*insert\\s+${ID}\\s+(?:${ID})?$`).test(line))
    return words(["after", "before", "parallel"], CompletionItemKind.Keyword);
  if (new RegExp(`^\\s*apply\\s+${ID}\\s+(?:${ID})?$`).test(line)) return words(["to"], CompletionItemKind.Keyword);
  if (new RegExp(`^\\s*(?:train|freeze)\\s+(?:${ID})?$`).test(line))
    return [...words([...KEYWORD_GROUPS.target, "head"], CompletionItemKind.Keyword), ...composable(doc, true)];
  if (new RegExp(`^\\s*(?:stack|fuse)\\s+(?:${ID}\\s*,\\s*)*(?:${ID})?$`).test(line)) return composable(doc, false);
  if (new RegExp(`^\\s*(?:fuse\\s+${ID}(?:\\s*,\\s*${ID})+|use\\s+"[^"]*")\\s+(?:${ID})?$`).test(line))
    return words(["as"], CompletionItemKind.Keyword);
  if (/(?:"|\/|\d)\s+[A-Za-z_]*$/.test(line) && /^\s*(?:insert|apply|train|freeze)\b/.test(line)) {
    return words(["in layers", "where type =", "expect"], CompletionItemKind.Keyword);
  }
  return [];
}

function planItems(line: string): CompletionItem[] {
  if (new RegExp(`^\\s*(?:${ID})?$`).test(line)) {
    return Object.entries(PLAN_KEYS).map(([key, spec]) => ({
      label: key,
      kind: CompletionItemKind.Property,
      detail: spec.example,
      documentation: spec.doc,
    }));
  }
  const entry = new RegExp(`^\\s*(${ID})\\s`).exec(line);
  const key = entry?.[1] ?? "";
  const spec = Object.hasOwn(PLAN_KEYS, key) ? PLAN_KEYS[key] : undefined;
  if (spec === undefined) return [];
  if (spec.form === "ctor") return kinds(Object.keys(spec.table), spec.table);
  if (spec.form === "names") return words(spec.values, CompletionItemKind.EnumMember);
  if (spec.form === "pairs") return argItems(PAIRS[key] ?? spec.table, line);
  if (spec.form === "select") return words(["best by validation.", "last"], CompletionItemKind.Keyword);
  return [];
}

const STATEMENT_START = /[ \t]*(?:model|use|adapter|insert|apply|stack|fuse|size|train|freeze|head|plan)\b/y;

/** The identifier that ends right before `end` (whitespace between allowed), or null. Linear time. */
function nameBefore(text: string, end: number): string | null {
  let stop = end;
  while (stop > 0 && /\s/.test(text[stop - 1]!)) stop--;
  let start = stop;
  while (start > 0 && /[A-Za-z0-9_]/.test(text[start - 1]!)) start--;
  const name = text.slice(start, stop);
  return /^[A-Za-z_]/.test(name) ? name : null;
}

/** The innermost `name(` that is still open before the cursor, and the text after it (one backward scan). */
function openCall(before: string): { callee: string; inside: string } | null {
  let depth = 0;
  for (let i = before.length - 1; i >= 0; i--) {
    const c = before[i];
    if (c === ")") depth++;
    else if (c === "(") {
      if (depth === 0) {
        const callee = nameBefore(before, i);
        return callee !== null ? { callee, inside: before.slice(i + 1) } : null;
      }
      depth--;
    } else if (c === "\n") {
      STATEMENT_START.lastIndex = i + 1;
      if (STATEMENT_START.test(before)) return null;
    }
  }
  return null;
}

function callItems(callee: string, inside: string): CompletionItem[] {
  const table = Object.hasOwn(CTORS, callee) ? CTORS[callee]! : undefined;
  if (table === undefined) return [];
  return argItems(table, inside);
}

/** Keys not yet given, or the values of the key just before the cursor. */
function argItems(table: ArgTable, text: string): CompletionItem[] {
  const value = new RegExp(`(${ID})\\s*:\\s*(?:${ID})?$`).exec(text);
  if (value) {
    const spec = Object.hasOwn(table, value[1]!) ? table[value[1]!]!.value : undefined;
    if (spec?.type === "enum") return words(spec.values, CompletionItemKind.EnumMember);
    if (spec?.type === "ctor") return kinds(Object.keys(spec.table), spec.table);
    return [];
  }
  const given = new Set([...text.matchAll(new RegExp(`(${ID})\\s*:`, "g"))].map((m) => m[1]));
  return Object.entries(table)
    .filter(([key]) => !given.has(key))
    .map(([key, spec]) => ({
      label: key,
      kind: CompletionItemKind.Field,
      detail: spec.required
        ? "required"
        : spec.default === undefined
          ? undefined
          : `default ${JSON.stringify(spec.default)}`,
      documentation: spec.doc,
      insertText: `${key}: `,
    }));
}

function kinds(names: readonly string[], table: CtorTable): CompletionItem[] {
  return names.map((name) => ({
    label: name,
    kind: CompletionItemKind.Class,
    detail: Object.keys(table[name] ?? {}).join(", ") || "no arguments",
  }));
}

/** What a stack or fusion may take (declared and loaded adapters) and, for rules, fusions too. */
function composable(doc: DocumentState, fusions: boolean): CompletionItem[] {
  const names = doc.analysis.spec.statements.flatMap((s) =>
    s.kind === "AdapterDecl" || s.kind === "Use" || (fusions && s.kind === "Fuse") ? [s.name.name] : [],
  );
  return words(names, CompletionItemKind.Variable);
}

function adapterNames(doc: DocumentState): CompletionItem[] {
  const names = doc.analysis.spec.statements.flatMap((s) => (s.kind === "AdapterDecl" ? [s.name.name] : []));
  return words(names, CompletionItemKind.Variable);
}

function layerPaths(doc: DocumentState, typed: string): CompletionItem[] {
  const manifest = doc.model?.manifest;
  if (!manifest) return [];
  return manifest.layers
    .filter((l) => l.path.startsWith(typed.slice(0, typed.lastIndexOf(".") + 1)))
    .map((l) => ({ label: l.path, kind: CompletionItemKind.Value, detail: `${l.className}, ${l.params} parameters` }));
}

function words(list: readonly string[], kind: CompletionItemKind): CompletionItem[] {
  return list.map((label) => ({ label, kind }));
}

/** True when the cursor is inside an open `plan {` block. */
function insidePlan(before: string): boolean {
  const code = before.replace(/#[^\n]*/g, "").replace(/"(?:[^"\\\n]|\\.)*"?/g, '""');
  const open = code.lastIndexOf("{");
  return open > code.lastIndexOf("}") && /\bplan\s*$/.test(code.slice(0, open));
}
