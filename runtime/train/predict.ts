/**
 * Inference on raw texts: tokenized, padded per batch, run in inference mode; a classifier's output
 * becomes the label name and its softmax probability, a regression head's output its value.
 */
import * as tf from "@tensorflow/tfjs";
import { exactPadding, padBatch } from "../tokenize/batches.ts";
import type { TextEncoder } from "../tokenize/tokenizer.ts";
import { feedFor, inputRoles, outputsProbabilities } from "./feed.ts";

/** One prediction. */
export interface Prediction {
  readonly text: string;
  readonly label: string | null;
  readonly probability: number | null;
  readonly value: number | null;
  /** Probability of every label (classifier). */
  readonly probabilities: Record<string, number> | null;
}

/** What predicting needs to know about the run. */
export interface PredictInfo {
  readonly labelNames: readonly string[];
  readonly task: { kind: "classifier" | "regression"; classes: number };
  readonly maxLength: number;
}

/** Predicts each text (pairs are not taken here: one text per prediction); reads outputs asynchronously. */
export async function predictTexts(
  model: tf.LayersModel,
  encoder: TextEncoder,
  info: PredictInfo,
  texts: readonly string[],
): Promise<Prediction[]> {
  return (await predictEach(model, encoder, [{ info, probabilities: outputsProbabilities(model) }], texts))[0]!;
}

/** One output of a model with several (parallel inference): its task and whether it is already softmaxed. */
export interface OutputInfo {
  readonly info: PredictInfo;
  readonly probabilities: boolean;
}

/**
 * Predicts each text for every output of `model` (one per task, in order) in one forward pass; the texts
 * are encoded with `outputs[0]`'s max length (the caller groups tasks by max length).
 */
export async function predictEach(
  model: tf.LayersModel,
  encoder: TextEncoder,
  outputs: readonly OutputInfo[],
  texts: readonly string[],
): Promise<Prediction[][]> {
  const roles = inputRoles(model).value!;
  const encoded = texts.map((t) => encoder.encode(t, null, outputs[0]!.info.maxLength));
  const batch = padBatch(
    encoded,
    new Float32Array(texts.length),
    texts.map((_, i) => i),
    exactPadding(encoder.padId),
  );
  const feed = feedFor(model, roles, batch);
  let tables: number[][][];
  try {
    const outs = tf.tidy(() => {
      const ys = model.apply(feed, { training: false }) as tf.Tensor | tf.Tensor[];
      return (Array.isArray(ys) ? ys : [ys]).map((y, k) => {
        const flat = y.reshape([texts.length, -1]);
        const o = outputs[k]!;
        return o.info.task.kind === "regression" || o.probabilities ? flat : tf.softmax(flat);
      });
    });
    try {
      tables = (await Promise.all(outs.map((o) => o.array()))) as number[][][];
    } finally {
      tf.dispose(outs);
    }
  } finally {
    tf.dispose(feed);
  }
  return tables.map((rows, k) => rows.map((row, i) => prediction(outputs[k]!.info, texts[i]!, row)));
}

function prediction(info: PredictInfo, text: string, row: number[]): Prediction {
  if (info.task.kind === "regression")
    return { text, label: null, probability: null, value: row[0]!, probabilities: null };
  const best = row.indexOf(Math.max(...row));
  const names = row.map((_, k) => info.labelNames[k] ?? String(k));
  return {
    text,
    label: names[best]!,
    probability: row[best]!,
    value: null,
    probabilities: Object.fromEntries(names.map((n, k) => [n, row[k]!])),
  };
}
