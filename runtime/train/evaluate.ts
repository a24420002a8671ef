/**
 * Tokenized splits and their evaluation: the model's predictions over a whole split (length-bucketed,
 * no randomness), the mean loss, and the plan's metrics.
 */
import { lengthMultiple, settleDevice } from "../backend/device.ts";
import type { Example, TaskShape } from "../data/load.ts";
import { evaluationOrder, padBatch, type Batch, type Padding } from "../tokenize/batches.ts";
import type { Encoded, TextEncoder } from "../tokenize/tokenizer.ts";
import type { FrozenPrefixRunner } from "./frozen-cache.ts";
import { computeMetrics } from "./metrics.ts";
import { evalBatch, type StepContext } from "./step.ts";

/** A split ready for batching: token ids per example and the labels. */
export interface EncodedSplit {
  readonly encoded: readonly Encoded[];
  readonly labels: Float32Array;
  readonly lengths: readonly number[];
}

/** Tokenizes a split. */
export function encodeSplit(encoder: TextEncoder, examples: readonly Example[], maxLength: number): EncodedSplit {
  const encoded = examples.map((e) => encoder.encode(e.text, e.pair, maxLength));
  return {
    encoded,
    labels: Float32Array.from(examples.map((e) => e.label)),
    lengths: encoded.map((e) => e.ids.length),
  };
}

/** The padding of batches on the active backend (see `lengthMultiple`), never past `maxLength`. */
export function batchPadding(padId: number, maxLength: number): Padding {
  return { id: padId, multiple: lengthMultiple(), max: maxLength };
}

/** The batches of a split in evaluation order. */
export function evaluationBatches(split: EncodedSplit, batch: number, pad: Padding): Batch[] {
  return evaluationOrder(split.lengths, batch).map((idx) => padBatch(split.encoded, split.labels, idx, pad));
}

/** Evaluation results: mean loss, metrics, and the predictions in the split's original order. */
export interface Evaluation {
  readonly loss: number;
  readonly metrics: Record<string, number>;
  readonly predictions: Float32Array;
}

/**
 * Evaluates the model on a split with the named metrics (reads results asynchronously); with `prefix`
 * (that split's frozen-prefix runner, frozen-cache.ts), the frozen layers' outputs come from its cache.
 */
export async function evaluate(
  ctx: Pick<StepContext, "model" | "roles" | "task" | "probabilities">,
  split: EncodedSplit,
  metricNames: readonly string[],
  batch: number,
  pad: Padding,
  prefix: FrozenPrefixRunner | null = null,
): Promise<Evaluation> {
  const predictions = new Float32Array(split.labels.length);
  let lossSum = 0;
  for (const b of evaluationBatches(split, batch, pad)) {
    const prepared = await prefix?.prepare(b, false);
    const { loss, pred } = await evalBatch(ctx, b, prepared?.forward).finally(() => prepared?.dispose());
    settleDevice();
    lossSum += loss * b.size;
    b.indices.forEach((ex, row) => (predictions[ex] = pred[row]!));
  }
  const task: TaskShape = ctx.task;
  const loss = lossSum / Math.max(1, split.labels.length);
  return {
    loss,
    metrics: { ...computeMetrics(metricNames, predictions, split.labels, task.classes), loss },
    predictions,
  };
}
