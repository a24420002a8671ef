/**
 * Resolves `key: value` argument lists against an argument table: reports unknown, duplicate and
 * missing keys and wrongly typed values (ADAPT110-114), and returns the values with defaults filled in.
 */
import type { Arg, Value, Span } from "../../grammar/ast.ts";
import { diag, type Diagnostic, type StageResult } from "../diagnostics/diagnostic.ts";
import { didYouMean, orList } from "../diagnostics/suggest.ts";
import type { ArgTable, CtorTable, ResolvedCtor, ResolvedOf, ValueSpec } from "./args.ts";

/** Resolved arguments: key to number, string or nested constructor. */
export type ResolvedArgs = Record<string, number | string | ResolvedCtor>;

/** The defaults of a table's arguments (those that have one). */
export function defaultArgs(table: ArgTable): ResolvedArgs {
  const out: ResolvedArgs = {};
  for (const [key, spec] of Object.entries(table)) if (spec.default !== undefined) out[key] = spec.default;
  return out;
}

/** Checks `args` against `table` (`what` names the constructor in messages) and fills in defaults. */
export function resolveArgs(
  args: readonly Arg[],
  table: ArgTable,
  what: string,
  span: Span,
): StageResult<ResolvedArgs> {
  const diagnostics: Diagnostic[] = [];
  const out: ResolvedArgs = {};
  const seen = new Set<string>();
  for (const a of args) {
    const key = a.key.name;
    const spec = Object.hasOwn(table, key) ? table[key] : undefined;
    if (spec === undefined) {
      const known = Object.keys(table);
      const help =
        didYouMean(key, known) ?? (known.length > 0 ? `${what} takes ${orList(known)}` : `${what} takes no arguments`);
      diagnostics.push(diag("ADAPT110", a.key.span, `\`${what}\` has no argument \`${key}\``, { help }));
      continue;
    }
    if (seen.has(key)) {
      diagnostics.push(diag("ADAPT113", a.key.span, `argument \`${key}\` is given twice`));
      continue;
    }
    seen.add(key);
    const v = resolveValue(a.value, spec.value, key);
    diagnostics.push(...v.diagnostics);
    if (v.value !== undefined) out[key] = v.value;
  }
  for (const [key, spec] of Object.entries(table)) {
    if (seen.has(key)) continue;
    if (spec.required)
      diagnostics.push(
        diag("ADAPT111", span, `\`${what}\` needs the argument \`${key}\``, {
          help: `add \`${key}: ...\` (${spec.doc})`,
        }),
      );
    else if (spec.default !== undefined) out[key] = spec.default;
  }
  return { value: out, diagnostics };
}

/**
 * `resolveArgs` typed from the table: every argument with a default or marked required is present
 * (when the diagnostics have no error), which is what `ResolvedOf` states. The one place that relies on it.
 */
export function resolveTypedArgs<const T extends ArgTable>(
  args: readonly Arg[],
  table: T,
  what: string,
  span: Span,
): StageResult<ResolvedOf<T>> {
  const r = resolveArgs(args, table, what, span);
  return { value: r.value as ResolvedOf<T>, diagnostics: r.diagnostics };
}

/** Resolves one value against its type; `key` names it in messages. */
export function resolveValue(
  v: Value,
  spec: ValueSpec,
  key: string,
): StageResult<number | string | ResolvedCtor | undefined> {
  const wrong = (expected: string) => ({
    value: undefined,
    diagnostics: [diag("ADAPT112", v.span, `\`${key}\` must be ${expected}, found ${describeValue(v)}`)],
  });
  switch (spec.type) {
    case "int":
    case "number": {
      if (v.kind !== "Number" || (spec.type === "int" && !v.integer))
        return wrong(spec.type === "int" ? "an integer" : "a number");
      const min = spec.min;
      const max = spec.type === "number" ? spec.max : undefined;
      if ((min !== undefined && v.value < min) || (max !== undefined && v.value > max)) {
        const range = max === undefined ? `at least ${min}` : `between ${min ?? "-inf"} and ${max}`;
        return {
          value: undefined,
          diagnostics: [diag("ADAPT114", v.span, `\`${key}\` must be ${range}, found ${v.text}`)],
        };
      }
      return { value: v.value, diagnostics: [] };
    }
    case "string":
      return v.kind === "String" ? { value: v.value, diagnostics: [] } : wrong("a string");
    case "enum": {
      const word =
        v.kind === "Name" && v.parts.length === 1 ? v.parts[0]!.name : v.kind === "String" ? v.value : undefined;
      if (word === undefined) return wrong(`one of ${orList(spec.values)}`);
      if (spec.values.includes(word)) return { value: word, diagnostics: [] };
      const help = didYouMean(word, spec.values) ?? `use ${orList(spec.values)}`;
      return {
        value: undefined,
        diagnostics: [diag("ADAPT114", v.span, `\`${word}\` is not a valid \`${key}\``, { help })],
      };
    }
    case "ctor":
      return resolveCtor(v, spec.table, key);
  }
}

/** Resolves `name` or `name(args)` against a table of constructors. */
export function resolveCtor(v: Value, table: CtorTable, key: string): StageResult<ResolvedCtor | undefined> {
  const callee = v.kind === "Call" ? v.callee : v.kind === "Name" && v.parts.length === 1 ? v.parts[0]! : undefined;
  const kinds = Object.keys(table);
  if (callee === undefined) {
    return {
      value: undefined,
      diagnostics: [diag("ADAPT112", v.span, `\`${key}\` must be ${orList(kinds)}, found ${describeValue(v)}`)],
    };
  }
  const argTable = Object.hasOwn(table, callee.name) ? table[callee.name] : undefined;
  if (argTable === undefined) {
    const help = didYouMean(callee.name, kinds) ?? `use ${orList(kinds)}`;
    return {
      value: undefined,
      diagnostics: [diag("ADAPT114", callee.span, `\`${callee.name}\` is not a valid \`${key}\``, { help })],
    };
  }
  const args = resolveArgs(v.kind === "Call" ? v.args : [], argTable, callee.name, v.span);
  return { value: { kind: callee.name, ...args.value }, diagnostics: args.diagnostics };
}

/** A short description of a value for messages. */
export function describeValue(v: Value): string {
  switch (v.kind) {
    case "Number":
      return `the number ${v.text}`;
    case "String":
      return `the string "${v.value}"`;
    case "Name":
      return `\`${v.parts.map((p) => p.name).join(".")}\``;
    case "Call":
      return `a call to \`${v.callee.name}\``;
    case "List":
      return "a list";
    case "Alternatives":
      return `${v.options.length} alternatives`;
    case "Div":
      return `\`${v.dividend.name} / ${v.divisor.text}\``;
  }
}
