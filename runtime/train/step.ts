/**
 * One training step as a hand-written tfjs loop: `tf.variableGrads` over the trainable variables only,
 * global-norm clipping, then the optimizer's update. Dropout masks come from a seed derived from the
 * step number, so a resumed run draws the same masks.
 */
import * as tf from "@tensorflow/tfjs";
import type { Batch } from "../tokenize/batches.ts";
import type { TaskShape } from "../data/load.ts";
import { feedFor, lossOf, predictionsOf, type InputRole } from "./feed.ts";
import { clipByGlobalNorm, type Optimizer } from "./optimizer.ts";
import { derive, withSeededRandom } from "./prng.ts";

/** The model and what the loop needs to train it. */
export interface StepContext {
  readonly model: tf.LayersModel;
  readonly roles: readonly InputRole[];
  readonly task: TaskShape;
  readonly probabilities: boolean;
  /** The trainable variables, in a fixed order. */
  readonly vars: readonly tf.Variable[];
  readonly optimizer: Optimizer;
  readonly clipNorm: number | null;
  readonly seed: number;
}

/** The trainable variables of a model (the ones `variableGrads` differentiates). */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** Runs one step at learning rate `lr`; returns the loss (the update is skipped when it is not finite). */
export function trainStep(ctx: StepContext, batch: Batch, lr: number, globalStep: number): { loss: number; gradNorm: number } {
  const feed = feedFor(ctx.model, ctx.roles, batch);
  const labels = tf.tensor1d(batch.labels, "float32");
  const { value, grads } = withSeededRandom(derive(ctx.seed, "step", globalStep), () =>
    tf.variableGrads(() => {
      const out = ctx.model.apply(feed, { training: true }) as tf.Tensor;
      return lossOf(ctx.task, ctx.probabilities, out, labels);
    }, ctx.vars as tf.Variable[]),
  );
  const loss = value.dataSync()[0]!;
  const ordered = ctx.vars.map((v) => grads[v.name]!);
  let gradNorm = NaN;
  if (Number.isFinite(loss)) {
    const clipped = clipByGlobalNorm(ordered, ctx.clipNorm);
    gradNorm = clipped.norm;
    ctx.optimizer.applyGradients(clipped.grads, lr);
    clipped.grads.forEach((g) => ordered.includes(g) || g.dispose());
  }
  tf.dispose([value, labels, ...feed, ...Object.values(grads)]);
  return { loss, gradNorm };
}

/** The model's outputs for one batch in inference mode: mean loss and predictions. */
export function evalBatch(ctx: Pick<StepContext, "model" | "roles" | "task" | "probabilities">, batch: Batch): { loss: number; pred: Float32Array } {
  const feed = feedFor(ctx.model, ctx.roles, batch);
  const labels = tf.tensor1d(batch.labels, "float32");
  const out = ctx.model.apply(feed, { training: false }) as tf.Tensor;
  const lossT = lossOf(ctx.task, ctx.probabilities, out, labels);
  const loss = lossT.dataSync()[0]!;
  const pred = predictionsOf(ctx.task, out);
  tf.dispose([out, lossT, labels, ...feed]);
  return { loss, pred };
}
