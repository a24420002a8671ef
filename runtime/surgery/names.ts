/**
 * How the runtime names what surgery adds. An operation's layer is `adapter.<adapter>.<site>`; its
 * weights are that name plus `/down/kernel`, `/down/bias`, `/up/kernel`, `/up/bias` (bottleneck,
 * parallel), `/lora_A`, `/lora_B` (lora) or `/scale` (ia3). The compiler writes the same names into the
 * IR (`SurgeryOp.weights`); surgery checks that they agree.
 */
import type { AddedWeight, SourceRef, SurgeryOp } from "../../compiler/ir/types.ts";
import type { Span } from "../../grammar/ast.ts";

/** The layer name of an operation's adapter. */
export function adapterLayerName(op: Pick<SurgeryOp, "adapter" | "site">): string {
  return `adapter.${op.adapter}.${op.site}`;
}

/** The weights an operation adds, by name and shape, in the order the layer creates them. */
export function addedWeights(
  op: Pick<SurgeryOp, "adapter" | "site" | "kind" | "d" | "size" | "kernelShape">,
): AddedWeight[] {
  const base = adapterLayerName(op);
  const m = op.size ?? 0;
  switch (op.kind) {
    case "bottleneck":
    case "parallel":
      return [
        { name: `${base}/down/kernel`, shape: [op.d, m] },
        { name: `${base}/down/bias`, shape: [m] },
        { name: `${base}/up/kernel`, shape: [m, op.d] },
        { name: `${base}/up/bias`, shape: [op.d] },
      ];
    case "lora": {
      const [nIn, nOut] = op.kernelShape ?? [op.d, op.d];
      return [
        { name: `${base}/lora_A`, shape: [nIn ?? 0, m] },
        { name: `${base}/lora_B`, shape: [m, nOut ?? 0] },
      ];
    }
    case "ia3":
      return [{ name: `${base}/scale`, shape: [op.d] }];
  }
}

/** The span of a source reference (offsets unknown: 0). */
export function spanOf(source: SourceRef): Span {
  return {
    start: { line: source.line, column: source.column, offset: 0 },
    end: { line: source.endLine, column: source.endColumn, offset: 0 },
  };
}
