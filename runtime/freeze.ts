/**
 * Freezing as the IR says (run before any compile: tfjs collects trainable weights at compile time),
 * and rule ADAPT925: the model's trainable weights are exactly the IR's trainable set. Weights the IR
 * does not list are frozen. Head weights are checked only when the model has them.
 */
import type * as tf from "@tensorflow/tfjs";
import { diag, FILE_START, type Diagnostic } from "../compiler/diagnostics/diagnostic.ts";
import type { WeightTrainability } from "../compiler/ir/types.ts";

interface LayerInternals {
  _trainableWeights?: tf.LayerVariable[];
}

/** Sets every weight's trainability from `weights` (by name); unlisted weights are frozen. */
export function applyFreezing(model: tf.LayersModel, weights: readonly WeightTrainability[]): void {
  const trainable = new Map(weights.map((w) => [w.name, w.trainable]));
  for (const layer of model.layers) {
    const own = (layer as unknown as LayerInternals)._trainableWeights ?? [];
    const any = own.some((w) => trainable.get(w.originalName) === true);
    layer.trainable = any;
    for (const w of own) w.trainable = trainable.get(w.originalName) === true;
  }
}

function listed(names: readonly string[]): string {
  const shown = names
    .slice(0, 3)
    .map((n) => `\`${n}\``)
    .join(", ");
  return names.length > 3 ? `${shown} and ${names.length - 3} more` : shown;
}

/** Compares the model's trainable weights with the IR's trainable set; one diagnostic per direction. */
export function checkTrainable(model: tf.LayersModel, weights: readonly WeightTrainability[]): Diagnostic[] {
  const present = new Set(model.weights.map((w) => w.originalName));
  const expected = new Set(
    weights.filter((w) => w.trainable && (w.owner !== "head" || present.has(w.name))).map((w) => w.name),
  );
  const actual = new Set(model.trainableWeights.map((w) => w.originalName));
  const missing = [...expected].filter((n) => !actual.has(n));
  const extra = [...actual].filter((n) => !expected.has(n));
  const out: Diagnostic[] = [];
  if (missing.length > 0) {
    out.push(
      diag(
        "ADAPT925",
        FILE_START,
        `${missing.length} weight(s) the plan trains are not trainable in the model: ${listed(missing)}`,
      ),
    );
  }
  if (extra.length > 0) {
    out.push(
      diag(
        "ADAPT925",
        FILE_START,
        `${extra.length} weight(s) are trainable in the model but frozen in the plan: ${listed(extra)}`,
      ),
    );
  }
  return out;
}
