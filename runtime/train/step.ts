/**
 * One training step as a hand-written tfjs loop: gradients over the trainable variables only (backprop.ts:
 * tfjs's `variableGrads`, bit for bit, freeing memory as the backward pass goes), global-norm clipping
 * (on wasm one norm kernel and the factor folded into the update, optimizer.ts's `clipFactor`), then the
 * optimizer's update. Dropout masks come from a seed derived from the
 * step number, so a resumed run draws the same masks.
 */
import * as tf from "@tensorflow/tfjs";
import type { Batch } from "../tokenize/batches.ts";
import type { TaskShape } from "../data/load.ts";
import { feedFor, lossOf, predictionsOf, type InputRole } from "./feed.ts";
import { clipByGlobalNorm, clipFactor, type Optimizer } from "./optimizer.ts";
import { derive, withSeededRandom } from "./prng.ts";
import { leanVariableGrads } from "./backprop.ts";
import { leanApply } from "./forward.ts";

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

/**
 * Runs one step at learning rate `lr`; returns the loss (the update is skipped when it is not finite) and
 * the gradients' global norm before clipping. Numbers are read asynchronously (webgpu has no sync read).
 * `forward` replaces the model's own forward pass (a frozen prefix's upper part, frozen-cache.ts).
 */
export async function trainStep(
  ctx: StepContext,
  batch: Batch,
  lr: number,
  globalStep: number,
  forward: (feed: tf.Tensor[]) => tf.Tensor = (feed) => leanApply(ctx.model, feed, true),
): Promise<{ loss: number; gradNorm: number }> {
  const feed = feedFor(ctx.model, ctx.roles, batch);
  const labels = tf.tensor1d(batch.labels, "float32");
  const { value, grads } = withSeededRandom(derive(ctx.seed, "step", globalStep), () =>
    leanVariableGrads(() => {
      const out = forward(feed);
      return lossOf(ctx.task, ctx.probabilities, out, labels);
    }, ctx.vars),
  );
  let loss = NaN;
  let gradNorm = NaN;
  try {
    loss = (await value.data())[0]!;
    if (Number.isFinite(loss)) {
      const ordered = ctx.vars.map((v) => grads[v.name]!);
      const factor = clipFactor(ordered, ctx.clipNorm);
      if (factor !== undefined) {
        ctx.optimizer.applyGradients(ordered, lr, factor.scale);
        gradNorm = await readScalar(factor.norm);
      } else {
        const clipped = clipByGlobalNorm(ordered, ctx.clipNorm);
        ctx.optimizer.applyGradients(clipped.grads, lr);
        clipped.grads.forEach((g) => ordered.includes(g) || g.dispose());
        gradNorm = await readScalar(clipped.norm);
      }
    }
  } finally {
    tf.dispose([value, labels, ...feed, ...Object.values(grads)]);
  }
  return { loss, gradNorm };
}

/** The value of a scalar tensor, read asynchronously; disposes it. */
async function readScalar(t: tf.Tensor): Promise<number> {
  try {
    return (await t.data())[0]!;
  } finally {
    t.dispose();
  }
}

/**
 * The model's outputs for one batch in inference mode: mean loss and predictions (read asynchronously).
 * `forward` replaces the model's own forward pass (a frozen prefix's upper part, frozen-cache.ts).
 */
export async function evalBatch(
  ctx: Pick<StepContext, "model" | "roles" | "task" | "probabilities">,
  batch: Batch,
  forward: (feed: tf.Tensor[]) => tf.Tensor = (feed) => ctx.model.apply(feed, { training: false }) as tf.Tensor,
): Promise<{ loss: number; pred: Float32Array }> {
  const feed = feedFor(ctx.model, ctx.roles, batch);
  const labels = tf.tensor1d(batch.labels, "float32");
  const out = forward(feed);
  try {
    const lossT = lossOf(ctx.task, ctx.probabilities, out, labels);
    const predT = predictionsOf(ctx.task, out);
    const [loss, pred] = await Promise.all([readScalar(lossT), readFloats(predT)]);
    return { loss, pred };
  } finally {
    tf.dispose([out, labels, ...feed]);
  }
}

async function readFloats(t: tf.Tensor): Promise<Float32Array> {
  try {
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
  }
}
