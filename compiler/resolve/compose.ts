/**
 * Compositions over the resolved operations. `stack A, B` orders the members' operations at each of
 * their sites (A's output feeds B); every member must be at every site of the stack (ADAPT230).
 * `fuse A, B as F` makes one AdapterFusion per site of its members: they must be at the same sites
 * (ADAPT231), each as exactly one serial module after the site (ADAPT232).
 */
import type * as A from "../../grammar/ast.ts";
import { diag, type Diagnostic, type StageResult } from "../diagnostics/diagnostic.ts";
import type { AddedWeight, FusionOp, SurgeryOp } from "../ir/types.ts";
import { paramsOf } from "../lower/accounting.ts";
import { sourceRef } from "../lower/lower.ts";

/** Whether `op` belongs to the adapter, loaded adapter (`use`) named `name`. */
export function memberOf(op: SurgeryOp, name: string): boolean {
  return op.origin !== undefined ? op.origin.use === name : op.adapter === name;
}

function sitesOf(ops: readonly SurgeryOp[], name: string): string[] {
  return [...new Set(ops.filter((o) => memberOf(o, name)).map((o) => o.site))];
}

/** `ops` with each stack's members in its order at each of its sites. */
export function applyStacks(
  stacks: readonly A.StackStmt[],
  operations: readonly SurgeryOp[],
): StageResult<SurgeryOp[]> {
  const diagnostics: Diagnostic[] = [];
  const ops = [...operations];
  for (const stack of stacks) {
    const names = stack.members.map((m) => m.name);
    const sites = [...new Set(names.flatMap((n) => sitesOf(ops, n)))];
    for (const site of sites) {
      const missing = names.find((n) => !ops.some((o) => o.site === site && memberOf(o, n)));
      if (missing !== undefined) {
        diagnostics.push(
          diag("ADAPT230", stack.span, `\`${missing}\` is not at \`${site}\`, where the rest of the stack is`, {
            help: "stack adapters that are placed at the same layers",
          }),
        );
        break;
      }
      const slots = ops.flatMap((o, i) => (o.site === site && names.some((n) => memberOf(o, n)) ? [i] : []));
      const ordered = names.flatMap((n) => slots.map((i) => ops[i]!).filter((o) => memberOf(o, n)));
      slots.forEach((slot, k) => (ops[slot] = ordered[k]!));
    }
  }
  return { value: ops, diagnostics };
}

/** The weights of a fusion at a site of feature size d: 3d^2 + 3d parameters. */
export function fusionWeights(layer: string, d: number): AddedWeight[] {
  return ["query", "key", "value"].flatMap((p) => [
    { name: `${layer}/${p}/kernel`, shape: [d, d] },
    { name: `${layer}/${p}/bias`, shape: [d] },
  ]);
}

/** The fusion layer's name at a site. */
export function fusionLayerName(fusion: string, site: string): string {
  return `fusion.${fusion}.${site}`;
}

function fuseOne(stmt: A.FuseStmt, ops: readonly SurgeryOp[]): StageResult<FusionOp[]> {
  const names = stmt.members.map((m) => m.name);
  const first = sitesOf(ops, names[0]!);
  for (const n of names.slice(1)) {
    const sites = sitesOf(ops, n);
    const odd = sites.find((s) => !first.includes(s)) ?? first.find((s) => !sites.includes(s));
    if (odd !== undefined) {
      const has = sites.includes(odd) ? n : names[0]!;
      const lacks = has === n ? names[0]! : n;
      const msg = `the fused adapters are at different sites: \`${has}\` is at \`${odd}\`, but \`${lacks}\` is not`;
      return { value: [], diagnostics: [diag("ADAPT231", stmt.span, msg)] };
    }
  }
  const out: FusionOp[] = [];
  for (const site of first) {
    const members: SurgeryOp[] = [];
    for (const n of names) {
      const here = ops.filter((o) => o.site === site && memberOf(o, n));
      const op = here[0]!;
      if (here.length !== 1 || op.position !== "after" || op.kind === "parallel") {
        const what =
          here.length !== 1 ? `has ${here.length} operations` : `is a \`${op.kind}\` adapter placed \`${op.position}\``;
        const msg = `a fusion member must be one serial module after each site, but \`${n}\` ${what} at \`${site}\``;
        return { value: [], diagnostics: [diag("ADAPT232", stmt.span, msg)] };
      }
      members.push(op);
    }
    const d = members[0]!.d;
    const weights = fusionWeights(fusionLayerName(stmt.name.name, site), d);
    out.push({
      id: `${stmt.name.name}@${site}`,
      fusion: stmt.name.name,
      site,
      d,
      members: members.map((m) => m.id),
      params: paramsOf(weights),
      weights,
      source: sourceRef(stmt.span),
    });
  }
  return { value: out, diagnostics: [] };
}

/** The fusions of every `fuse` statement, in statement order, then site order. */
export function resolveFusions(fuses: readonly A.FuseStmt[], ops: readonly SurgeryOp[]): StageResult<FusionOp[]> {
  const results = fuses.map((f) => fuseOne(f, ops));
  return { value: results.flatMap((r) => r.value), diagnostics: results.flatMap((r) => r.diagnostics) };
}
