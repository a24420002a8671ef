/**
 * Loaded adapters (`use "PATH" as NAME`): the operations of an artifact's stored plan, renamed into the
 * spec (`NAME.<adapter>`) and checked against the spec's model. ADAPT930 the artifact cannot be read,
 * ADAPT931 it is malformed (its plan fails the plan schema or invariants), ADAPT143 one of its sites is
 * not a layer of the model, ADAPT932 it was compiled for another model. At compile time the base check
 * compares the manifest fingerprint (topology and weight names, shapes, dtypes) recorded in the
 * artifact's plan with the spec's model's; the weight values are compared at load time (runtime).
 */
import type * as A from "../../grammar/ast.ts";
import { diag, type Diagnostic, type StageResult } from "../diagnostics/diagnostic.ts";
import { didYouMean } from "../diagnostics/suggest.ts";
import { planInvariantProblems } from "../ir/invariants.ts";
import { validatePlan } from "../ir/schema.ts";
import type { CompiledPlan, SurgeryOp } from "../ir/types.ts";
import { adapterLayerName } from "../lower/accounting.ts";
import { sourceRef } from "../lower/lower.ts";
import type { ModelManifest } from "../model/types.ts";

/** An artifact folder as a reader found it: its stored plan, or why it cannot be used. */
export type UsedSource =
  | { readonly ok: true; readonly plan: unknown }
  | { readonly ok: false; readonly code: "ADAPT930" | "ADAPT931" | "ADAPT936"; readonly reason: string };

/** Reads the artifact folder a `use` names (`path` as written in the spec). */
export type UsedLoader = (path: string) => UsedSource | Promise<UsedSource>;

/** A `use` statement with the operations it brings. */
export interface UsedAdapter {
  readonly stmt: A.UseStmt;
  readonly ops: readonly SurgeryOp[];
}

/** The name of a loaded operation's adapter in the spec: `<use>.<adapter in the artifact>`. */
export function usedAdapterName(use: string, adapter: string): string {
  return `${use}.${adapter}`;
}

function renamed(op: SurgeryOp, stmt: A.UseStmt): SurgeryOp {
  const adapter = usedAdapterName(stmt.name.name, op.adapter);
  const from = adapterLayerName(op.adapter, op.site);
  const to = adapterLayerName(adapter, op.site);
  return {
    ...op,
    id: `${adapter}@${op.site}`,
    adapter,
    weights: op.weights.map((w) => ({ name: to + w.name.slice(from.length), shape: [...w.shape] })),
    source: sourceRef(stmt.span),
    origin: { use: stmt.name.name, path: stmt.path.value, adapter: op.adapter },
  };
}

function storedPlan(stmt: A.UseStmt, source: UsedSource | undefined): CompiledPlan | Diagnostic {
  const path = stmt.path.value;
  if (source === undefined)
    return diag("ADAPT930", stmt.path.span, `the artifact \`${path}\` cannot be read here: no artifact reader`);
  if (!source.ok) {
    const what = source.code === "ADAPT930" ? "cannot be read" : "is damaged";
    return diag(source.code, stmt.path.span, `the artifact \`${path}\` ${what}: ${source.reason}`, {
      help: source.code === "ADAPT930" ? "name a folder written by `adapt run` (it holds adapter.json)" : undefined,
    });
  }
  const schema = validatePlan(source.plan);
  const problems = schema.length > 0 ? schema : planInvariantProblems(source.plan as CompiledPlan);
  if (problems.length > 0)
    return diag("ADAPT931", stmt.path.span, `the artifact \`${path}\` has a malformed plan: ${problems[0]}`);
  return source.plan as CompiledPlan;
}

/** Each valid `use` with its renamed operations; diagnostics at the `use` statements. */
export function resolveUsed(
  uses: readonly A.UseStmt[],
  manifest: ModelManifest,
  sources: ReadonlyMap<string, UsedSource>,
): StageResult<UsedAdapter[]> {
  const diagnostics: Diagnostic[] = [];
  const out: UsedAdapter[] = [];
  for (const stmt of uses) {
    const plan = storedPlan(stmt, sources.get(stmt.path.value));
    if ("code" in plan) {
      diagnostics.push(plan);
      continue;
    }
    const absent = [...new Set(plan.operations.map((op) => op.site))].filter((s) => !manifest.byPath.has(s));
    if (absent.length > 0) {
      const more = absent.length > 1 ? ` (and ${absent.length - 1} more)` : "";
      diagnostics.push(
        diag(
          "ADAPT143",
          stmt.path.span,
          `the artifact \`${stmt.path.value}\` has an adapter at \`${absent[0]}\`${more}, which is not a layer of the model`,
          { help: didYouMean(absent[0]!, manifest.byPath.keys()) },
        ),
      );
      continue;
    }
    if (plan.model.fingerprint !== manifest.fingerprint) {
      diagnostics.push(
        diag(
          "ADAPT932",
          stmt.path.span,
          `the artifact \`${stmt.path.value}\` was trained on another base model (\`${plan.model.path}\`, ${plan.model.params} parameters; this model has ${manifest.params})`,
          { help: "load adapters trained on this spec's model, or change the `model`" },
        ),
      );
      continue;
    }
    out.push({ stmt, ops: plan.operations.map((op) => renamed(op, stmt)) });
  }
  return { value: out, diagnostics };
}
