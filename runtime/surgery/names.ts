/**
 * How the runtime names what surgery adds. An operation's layer is `adapter.<adapter>.<site>`; its
 * weights are that name plus the suffixes its kind declares (`compiler/kinds/`), which the compiler
 * writes into the IR (`SurgeryOp.weights`); surgery checks that the layer created exactly those.
 */
import type { SourceRef, SurgeryOp } from "../../compiler/ir/types.ts";
import type { Span } from "../../grammar/ast.ts";

/** The layer name of an operation's adapter. */
export function adapterLayerName(op: Pick<SurgeryOp, "adapter" | "site">): string {
  return `adapter.${op.adapter}.${op.site}`;
}

/** The span of a source reference (offsets unknown: 0). */
export function spanOf(source: SourceRef): Span {
  return {
    start: { line: source.line, column: source.column, offset: 0 },
    end: { line: source.endLine, column: source.endColumn, offset: 0 },
  };
}
