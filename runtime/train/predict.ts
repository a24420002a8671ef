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
  const roles = inputRoles(model).value!;
  const encoded = texts.map((t) => encoder.encode(t, null, info.maxLength));
  const batch = padBatch(
    encoded,
    new Float32Array(texts.length),
    texts.map((_, i) => i),
    exactPadding(encoder.padId),
  );
  const feed = feedFor(model, roles, batch);
  let rows: number[][];
  try {
    const out = tf.tidy(() => {
      const y = (model.apply(feed, { training: false }) as tf.Tensor).reshape([texts.length, -1]);
      return info.task.kind === "regression" || outputsProbabilities(model) ? y : tf.softmax(y);
    });
    try {
      rows = (await out.array()) as number[][];
    } finally {
      out.dispose();
    }
  } finally {
    tf.dispose(feed);
  }
  return rows.map((row, i) => {
    if (info.task.kind === "regression")
      return { text: texts[i]!, label: null, probability: null, value: row[0]!, probabilities: null };
    const best = row.indexOf(Math.max(...row));
    const names = row.map((_, k) => info.labelNames[k] ?? String(k));
    return {
      text: texts[i]!,
      label: names[best]!,
      probability: row[best]!,
      value: null,
      probabilities: Object.fromEntries(names.map((n, k) => [n, row[k]!])),
    };
  });
}
