/**
 * What every model-free check rule reads: the parsed spec with its statements grouped by kind, and
 * what the checks are for (a plain `check`/`compile`, or a `run` that needs a complete plan).
 */
import type * as A from "../../grammar/ast.ts";
import type { Code } from "../diagnostics/codes.ts";
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import type { CheckedAdapter, CheckedHead } from "../frontend/checked.ts";
import type { PlanValue } from "./plan-values.ts";

/** Why the spec is checked: `run` makes an incomplete plan or a missing head an error. */
export type CheckPurpose = "check" | "run";

/** The input of the check rules. */
export interface CheckContext {
  readonly spec: A.Spec;
  readonly purpose: CheckPurpose;
  readonly adapterDecls: readonly A.AdapterDecl[];
  readonly placements: readonly (A.InsertStmt | A.ApplyStmt)[];
  readonly sizes: readonly A.SizeStmt[];
  readonly rules: readonly A.RuleStmt[];
  readonly heads: readonly A.HeadStmt[];
  readonly plans: readonly A.PlanBlock[];
  readonly models: readonly A.ModelStmt[];
  readonly uses: readonly A.UseStmt[];
  readonly stacks: readonly A.StackStmt[];
  readonly fuses: readonly A.FuseStmt[];
  /** Names that statements which failed to parse tried to declare: never reported as undeclared. */
  readonly brokenNames: ReadonlySet<string>;
  /** Every name some `adapter` statement declares, valid or not. */
  readonly declaredNames: ReadonlySet<string>;
  /** What the rules found valid so far; a rule reads what the rules before it in the list wrote. */
  readonly results: CheckResults;
}

/** The valid parts of the spec, filled in by the rules in their order. */
export interface CheckResults {
  adapters: Map<string, CheckedAdapter>;
  placements: (A.InsertStmt | A.ApplyStmt)[];
  sizes: A.SizeStmt[];
  head: CheckedHead | null;
  planEntries: A.PlanEntry[];
  planValues: Map<string, PlanValue>;
  /** `use`, `stack` and `fuse` statements whose names check out (compositions rule). */
  uses: A.UseStmt[];
  stacks: A.StackStmt[];
  fuses: A.FuseStmt[];
  /** Rules whose named target is unknown (left out of the checked spec). */
  badRules: Set<A.RuleStmt>;
}

/** Where a rule reports a problem. */
export type Report = (d: Diagnostic) => void;

/** The contract of a model-free check rule (one per file; the list is `rules.ts`). */
export interface CheckRule {
  /** The rule's name, as its file's doc comment gives it. */
  readonly name: string;
  /** The codes it may report. */
  readonly codes: readonly Code[];
  run(ctx: CheckContext, report: Report): void;
}

/** Groups the statements of `spec` for the rules. */
export function makeContext(spec: A.Spec, purpose: CheckPurpose): CheckContext {
  const of = <K extends A.Statement["kind"]>(kind: K) =>
    spec.statements.filter((s): s is Extract<A.Statement, { kind: K }> => s.kind === kind);
  const broken = new Set<string>();
  for (const s of of("Invalid")) if (s.declares !== null) broken.add(s.declares);
  return {
    spec,
    purpose,
    adapterDecls: of("AdapterDecl"),
    placements: spec.statements.filter(
      (s): s is A.InsertStmt | A.ApplyStmt => s.kind === "Insert" || s.kind === "Apply",
    ),
    sizes: of("Size"),
    rules: of("Rule"),
    heads: of("Head"),
    plans: of("Plan"),
    models: of("Model"),
    uses: of("Use"),
    stacks: of("Stack"),
    fuses: of("Fuse"),
    brokenNames: broken,
    declaredNames: new Set([...broken, ...of("AdapterDecl").map((d) => d.name.name)]),
    results: {
      adapters: new Map(),
      placements: [],
      sizes: [],
      head: null,
      planEntries: [],
      planValues: new Map(),
      uses: [],
      stacks: [],
      fuses: [],
      badRules: new Set(),
    },
  };
}
