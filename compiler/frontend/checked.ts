/**
 * The output of the model-free check stage: the spec's statements sorted by role, with every argument
 * resolved and defaults filled in. The resolve stage (against a model) starts from this.
 */
import type * as A from "../../grammar/ast.ts";
import type { TrainingPlanIR } from "../ir/types.ts";
import type { AdapterKind, AnyKind } from "../kinds/registry.ts";
import type { HEAD_ARGS, ResolvedOf } from "../schema/args.ts";
import type { ResolvedArgs } from "../schema/resolve-args.ts";

/** A declared adapter with its resolved arguments. */
export interface CheckedAdapter {
  readonly name: string;
  readonly kind: AdapterKind;
  /** The kind's definition in the registry. */
  readonly def: AnyKind;
  readonly args: ResolvedArgs;
  /** The size argument when it is a reduction factor `d / k` (then `args` has the default size). */
  readonly sizeRatio: A.DivExpr | null;
  readonly decl: A.AdapterDecl;
}

/** The head with its arguments resolved and typed from its table. */
export type CheckedHead = {
  [K in keyof typeof HEAD_ARGS]: {
    readonly kind: K;
    readonly args: ResolvedOf<(typeof HEAD_ARGS)[K]>;
    readonly stmt: A.HeadStmt;
  };
}[keyof typeof HEAD_ARGS];

/** A spec that passed the model-free checks (or the valid part of one that did not). */
export interface CheckedSpec {
  readonly spec: A.Spec;
  readonly model: A.StringLit | null;
  /** Valid adapter declarations by name, in declaration order. */
  readonly adapters: ReadonlyMap<string, CheckedAdapter>;
  /** `insert` and `apply` statements whose adapter is declared and suits the statement. */
  readonly placements: readonly (A.InsertStmt | A.ApplyStmt)[];
  /** `size` statements whose adapter is declared and has a size, in source order. */
  readonly sizes: readonly A.SizeStmt[];
  /** `train`/`freeze` rules in source order. */
  readonly rules: readonly A.RuleStmt[];
  readonly head: CheckedHead | null;
  /** The training plan with defaults filled in; null when there is no plan or it is incomplete. */
  readonly plan: TrainingPlanIR | null;
  readonly planBlock: A.PlanBlock | null;
  /** `use` statements whose names are free, in source order (the artifacts are read by the pipeline). */
  readonly uses: readonly A.UseStmt[];
  /** `stack` and `fuse` statements whose members are known. */
  readonly stacks: readonly A.StackStmt[];
  readonly fuses: readonly A.FuseStmt[];
}
