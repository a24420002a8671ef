/**
 * Loaded adapters (`use "PATH" as NAME`): the operations of an artifact's stored plan, renamed into the
 * spec (`NAME.<adapter>`) and checked against the spec's model. ADAPT930 the artifact cannot be read,
 * ADAPT931 it is malformed (its plan fails the plan schema or invariants), ADAPT143 one of its sites is
 * not a layer of the model, ADAPT932 it was compiled for another model. At compile time the base check
 * compares the manifest fingerprint (topology and weight names, shapes, dtypes) recorded in the
 * artifact's plan with the spec's model's; the weight values are compared at load time (runtime). A
 * peer's folder (PEFT, AdapterHub `adapters`) records no fingerprint: its reader compiles it against the
 * spec's model (module names and shapes checked there, ADAPT959/976/977/978) and the base model it
 * names is shown as a note (ADAPT979).
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
import type { Code } from "../diagnostics/codes.ts";

/** A peer library's folder that a reader converted: the library and the base model its config names. */
export interface UsedPeer {
  readonly library: "peft" | "adapters";
  readonly baseModel: string | null;
}

/** An artifact folder as a reader found it: its stored plan (a peer's compiled one), or why it cannot be used. */
export type UsedSource =
  | { readonly ok: true; readonly plan: unknown; readonly peer?: UsedPeer }
  | { readonly ok: false; readonly code: Code; readonly reason: string; readonly help?: string };

/** The spec's model, which a reader converts a peer's folder against. */
export interface UsedModel {
  readonly manifest: ModelManifest;
  /** The model path as the spec writes it (or `--model`). */
  readonly path: string;
}

/** Reads the folder a `use` names (`path` as written in the spec), for the spec's model. */
export type UsedLoader = (path: string, model: UsedModel) => UsedSource | Promise<UsedSource>;

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
    const what: Record<string, string> = {
      ADAPT930: "artifact `%` cannot be read",
      ADAPT931: "artifact `%` is damaged",
      ADAPT936: "artifact `%` is damaged",
    };
    const says = (what[source.code] ?? "adapter folder `%` cannot be used").replace("%", () => path);
    return diag(source.code, stmt.path.span, `the ${says}: ${source.reason}`, {
      help:
        source.help ??
        (source.code === "ADAPT930"
          ? "name a folder written by `adapt run` (adapter.json) or saved by PEFT or `adapters` (adapter_config.json)"
          : undefined),
    });
  }
  const schema = validatePlan(source.plan);
  const problems = schema.length > 0 ? schema : planInvariantProblems(source.plan as CompiledPlan);
  if (problems.length > 0)
    return diag("ADAPT931", stmt.path.span, `the artifact \`${path}\` has a malformed plan: ${problems[0]}`);
  return source.plan as CompiledPlan;
}

function peerNote(stmt: A.UseStmt, peer: UsedPeer): Diagnostic {
  const library = peer.library === "peft" ? "a PEFT" : "an `adapters`";
  const on = peer.baseModel === null ? "names no base model" : `was trained on \`${peer.baseModel}\``;
  return diag(
    "ADAPT979",
    stmt.path.span,
    `\`${stmt.path.value}\` is ${library} adapter folder that ${on}; only its module names and shapes are checked against this model`,
    { help: "a peer's folder records no fingerprint of its base model's weights" },
  );
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
    const source = sources.get(stmt.path.value);
    const plan = storedPlan(stmt, source);
    if ("code" in plan) {
      diagnostics.push(plan);
      continue;
    }
    if (source?.ok === true && source.peer !== undefined) diagnostics.push(peerNote(stmt, source.peer));
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
