/**
 * The model-free front end in one call: parse, then check, with every diagnostic tagged with the file.
 * Used by `adapt check`, `adapt fmt`, the language server and as the first half of `compile`.
 */
import type { Spec } from "../../grammar/ast.ts";
import { sortDiagnostics, type Diagnostic, type StageResult } from "../diagnostics/diagnostic.ts";
import { parseSpec } from "./parse.ts";
import { checkSpec, type CheckOptions } from "./check.ts";
import type { CheckedSpec } from "./checked.ts";

/** What `analyzeText` returns: the AST, the checked spec (null when it did not parse), diagnostics. */
export interface Analysis {
  readonly spec: Spec;
  /** Null when there were syntax errors: checks of a partial spec would mislead. */
  readonly checked: CheckedSpec | null;
}

/** Parses and checks `text`; syntax errors stop before the checks, as the pipeline requires. */
export function analyzeText(text: string, file: string, opts: CheckOptions = {}): StageResult<Analysis> {
  const parsed = parseSpec(text);
  const tag = (ds: readonly Diagnostic[]) => sortDiagnostics(ds.map((d) => ({ ...d, file })));
  if (parsed.diagnostics.some((d) => d.severity === "error")) {
    return { value: { spec: parsed.value, checked: null }, diagnostics: tag(parsed.diagnostics) };
  }
  const checked = checkSpec(parsed.value, opts);
  return {
    value: { spec: parsed.value, checked: checked.value },
    diagnostics: tag([...parsed.diagnostics, ...checked.diagnostics]),
  };
}
