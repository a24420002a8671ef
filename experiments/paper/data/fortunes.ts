/**
 * Task `fortunes`: which of six topics does a fortune cookie come from? From the Debian package
 * `fortunes` 1:1.99.1-7.3 (fortune-mod's cookie files, BSD licence; see the package's copyright file),
 * files `computers`, `food`, `law`, `politics`, `science` and `startrek` under /usr/share/games/fortunes.
 *
 * Text: one cookie (the lines between two `%` lines) with overstrikes (`X\bX`) and control characters
 * removed and whitespace collapsed, cut to 300 characters at a
 * word boundary; cookies with fewer than 4 words are dropped, and so is every text found in more than one
 * file (so a label is never ambiguous) or twice. Label: the file's name. Split stratified by label with
 * fixed per-class counts (see COUNTS).
 *
 * Usage: npx tsx experiments/paper/data/fortunes.ts [UNPACKED_ROOT]  (default: `apt-get download` it)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  clean,
  dedupe,
  debianPackage,
  stratifiedSplit,
  textKey,
  writeSplits,
  type Counts,
  type Row,
} from "./common.ts";

const PACKAGE = ["fortunes", "1:1.99.1-7.3"] as const;
const TOPICS = ["computers", "food", "law", "politics", "science", "startrek"] as const;
const OUT = join(import.meta.dirname, "fortunes");
/** Per class (law, food and startrek have about 200 usable cookies). */
export const COUNTS: Counts = { train: 27, validation: 34, test: 34 };
const SEED = 19950401;

function readRows(root: string): Row[] {
  const rows: Row[] = [];
  for (const topic of TOPICS) {
    const file = readFileSync(join(root, "usr", "share", "games", "fortunes", topic), "utf8").replace(/[^\n]\x08/g, "");
    for (const cookie of file.split(/^%\s*$/m)) {
      const text = clean(cookie.replace(/[\x00-\x08\x0B-\x1F\x7F]/g, ""), 300);
      if ((text.match(/[A-Za-z]+/g) ?? []).length >= 4) rows.push({ text, label: topic });
    }
  }
  const labels = new Map<string, Set<string>>();
  for (const r of rows) labels.set(textKey(r, ["text"]), (labels.get(textKey(r, ["text"])) ?? new Set()).add(r.label));
  return rows.filter((r) => labels.get(textKey(r, ["text"]))!.size === 1);
}

function main(): void {
  const rows = dedupe(readRows(process.argv[2] ?? debianPackage(...PACKAGE)), ["text"]);
  writeSplits(OUT, stratifiedSplit(rows, COUNTS, SEED), ["text", "label"]);
}

main();
