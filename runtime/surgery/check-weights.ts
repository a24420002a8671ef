/**
 * Rule ADAPT924: every weight the IR says an operation adds exists in the adapted model under that
 * name with that shape, and the operation's layer adds no other weight.
 */
import type * as tf from "@tensorflow/tfjs";
import { diag, type Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import type { FusionOp, SurgeryOp } from "../../compiler/ir/types.ts";
import { adapterLayerName, spanOf } from "./names.ts";

/** Weight name to shape for every weight of `model` (names as saved: `layer/weight`). */
export function weightShapes(model: tf.LayersModel): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const w of model.weights) out.set(w.originalName, w.shape as number[]);
  return out;
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((n, i) => n === b[i]);

/** Compares the adapted model's added weights with each operation's `weights` in the IR. */
export function checkAddedWeights(
  model: tf.LayersModel,
  ops: readonly SurgeryOp[],
  fusions: readonly FusionOp[] = [],
): Diagnostic[] {
  const shapes = weightShapes(model);
  const out: Diagnostic[] = [];
  const all = [...ops, ...fusions.map((f) => ({ ...f, layer: `fusion.${f.fusion}.${f.site}` }))];
  for (const op of all) {
    const prefix = `${"layer" in op ? op.layer : adapterLayerName(op)}/`;
    const expected = new Map(op.weights.map((w) => [w.name, w.shape]));
    for (const [name, shape] of expected) {
      const got = shapes.get(name);
      if (got === undefined)
        out.push(diag("ADAPT924", spanOf(op.source), `the adapted model has no weight \`${name}\``));
      else if (!sameShape(got, shape)) {
        out.push(
          diag(
            "ADAPT924",
            spanOf(op.source),
            `weight \`${name}\` has shape [${got.join(", ")}], but the plan says [${shape.join(", ")}]`,
          ),
        );
      }
    }
    for (const name of shapes.keys()) {
      if (name.startsWith(prefix) && !expected.has(name)) {
        out.push(
          diag("ADAPT924", spanOf(op.source), `the adapted model has weight \`${name}\`, which the plan does not list`),
        );
      }
    }
  }
  return out;
}
