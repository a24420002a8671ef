/**
 * Compares an imported tfjs model with reference outputs written by scripts/reference/*.py.
 * Usage: npx tsx scripts/compare-reference.ts MODEL_JSON REFERENCE_JSON
 * Prints the largest absolute difference of the last hidden state (and pooled output when both have one)
 * and exits 1 when it is above 1e-4.
 */
import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { loadLayersModelFile } from "../runtime/io/file-io.ts";

interface Batch {
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids: number[][];
  last_hidden_state: number[][][];
  pooler_output?: number[][];
}

const TOLERANCE = 1e-4;

async function main(): Promise<number> {
  const [modelJson, referenceJson] = process.argv.slice(2);
  if (modelJson === undefined || referenceJson === undefined) {
    process.stderr.write("usage: compare-reference.ts MODEL_JSON REFERENCE_JSON\n");
    return 2;
  }
  await tf.setBackend("cpu");
  const model = await loadLayersModelFile(modelJson);
  const batches = JSON.parse(readFileSync(referenceJson, "utf8")) as Batch[];
  let worst = 0;
  for (const b of batches) {
    const feeds = [b.input_ids, b.attention_mask, b.token_type_ids].map((x) => tf.tensor2d(x, undefined, "int32"));
    const outs = [model.predict(feeds)].flat() as tf.Tensor[];
    const hidden = tf.max(tf.abs(tf.sub(outs[0]!, tf.tensor(b.last_hidden_state)))).dataSync()[0]!;
    const scale = tf.max(tf.abs(tf.tensor(b.last_hidden_state))).dataSync()[0]!;
    process.stdout.write(
      `batch ${b.input_ids.length}x${b.input_ids[0]?.length}: last_hidden_state max |diff| ${hidden.toExponential(3)} (values up to ${scale.toFixed(3)})\n`,
    );
    worst = Math.max(worst, hidden);
    if (outs[1] !== undefined && b.pooler_output !== undefined) {
      const pooled = tf.max(tf.abs(tf.sub(outs[1], tf.tensor(b.pooler_output)))).dataSync()[0]!;
      process.stdout.write(`  pooler_output max |diff| ${pooled.toExponential(3)}\n`);
      worst = Math.max(worst, pooled);
    }
  }
  process.stdout.write(
    `${worst <= TOLERANCE ? "MATCH" : "MISMATCH"}: max |diff| ${worst.toExponential(3)} (tolerance ${TOLERANCE})\n`,
  );
  return worst <= TOLERANCE ? 0 : 1;
}

process.exitCode = await main();
