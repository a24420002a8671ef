/**
 * Two tasks from WordNet 3.0's noun synsets, as shipped by the Debian package `wordnet-base` 1:3.0-37
 * (WordNet 3.0 licence; the notice is in experiments/paper/data/README.md):
 *
 * - `supersenses`: the supersense (lexicographer file, e.g. `noun.animal` -> `animal`) of a noun synset
 *   from its definition alone (the gloss without its quoted examples). The 19 noun supersenses with at
 *   least 1,000 synsets; definitions found under two supersenses, or twice, are dropped.
 * - `definitions` (sentence pair): does the definition (`definition`) define the word (`word`, the synset's
 *   first lemma)? `match` pairs a synset's lemma with its own definition; `mismatch` with the definition of
 *   another synset of the same supersense (so topic alone does not tell; of any supersense when the split
 *   has no other synset of that one) that does not contain the lemma.
 *   Synsets are dealt into train, validation and test first and pairs are made inside each split, so no
 *   definition or synset appears in two splits.
 *
 * Supersense names come from the package's lexnames(5WN) page. Usage:
 * npx tsx experiments/paper/data/wordnet.ts [UNPACKED_ROOT]  (default: `apt-get download` the package)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { shuffleInPlace } from "../../../runtime/tokenize/batches.ts";
import { mulberry32 } from "../../../runtime/train/prng.ts";
import {
  clean,
  dedupe,
  debianPackage,
  SPLITS,
  stratifiedSplit,
  writeSplits,
  type Counts,
  type Row,
  type SplitName,
} from "./common.ts";

const PACKAGE = ["wordnet-base", "1:3.0-37"] as const;
const MIN_SYNSETS = 1000;
/** Per supersense. */
export const SUPERSENSE_COUNTS: Counts = { train: 16, validation: 11, test: 11 };
/** Per label (`match`, `mismatch`). */
export const DEFINITION_COUNTS: Counts = { train: 125, validation: 100, test: 100 };
const SEED = 20061231;

/** One noun synset: its supersense, lemmas and definition. */
export interface Synset {
  readonly supersense: string;
  readonly lemmas: readonly string[];
  readonly definition: string;
}

/** Lexicographer file numbers to names (`05` -> `noun.animal`), from the lexnames(5WN) man page. */
function lexnames(root: string): Map<string, string> {
  const page = gunzipSync(readFileSync(join(root, "usr", "share", "man", "man5", "lexnames.5WN.gz"))).toString("utf8");
  return new Map([...page.matchAll(/^(\d\d)\t(noun\.\w+)\s*\t/gm)].map((m) => [m[1]!, m[2]!]));
}

/** Parses one line of data.noun (see wndb(5WN)); null for the licence header. */
export function parseSynset(line: string, names: ReadonlyMap<string, string>): Synset | null {
  if (line.startsWith("  ") || line.trim() === "") return null;
  const [head, gloss = ""] = line.split(" | ");
  const f = head!.split(" ");
  const count = parseInt(f[3]!, 16);
  const lemmas = Array.from({ length: count }, (_, i) => f[4 + 2 * i]!.replace(/\(.*\)$/, "").replace(/_/g, " "));
  const definition = clean(gloss.split(/;\s*"/)[0]!.replace(/"/g, ""));
  const name = names.get(f[1]!);
  return name === undefined ? null : { supersense: name.replace(/^noun\./, ""), lemmas, definition };
}

function readSynsets(root: string): Synset[] {
  const names = lexnames(root);
  const text = readFileSync(join(root, "usr", "share", "wordnet", "data.noun"), "utf8");
  const all = text
    .split("\n")
    .map((l) => parseSynset(l, names))
    .filter((s): s is Synset => s !== null && s.definition.split(" ").length >= 3);
  const sizes = new Map<string, number>();
  for (const s of all) sizes.set(s.supersense, (sizes.get(s.supersense) ?? 0) + 1);
  const byDefinition = new Map<string, Set<string>>();
  for (const s of all)
    byDefinition.set(
      s.definition.toLowerCase(),
      (byDefinition.get(s.definition.toLowerCase()) ?? new Set()).add(s.supersense),
    );
  return all.filter(
    (s) => sizes.get(s.supersense)! >= MIN_SYNSETS && byDefinition.get(s.definition.toLowerCase())!.size === 1,
  );
}

/** The `definitions` pairs: synsets dealt into splits, then matched and mismatched inside each split. */
export function definitionPairs(synsets: readonly Synset[], counts: Counts, seed: number): Record<SplitName, Row[]> {
  const random = mulberry32(seed);
  const pool = shuffleInPlace(
    dedupe(
      synsets.map((s, i) => ({ label: "", text: s.definition, i: String(i) })),
      ["text"],
    ).map((r) => synsets[Number(r.i)]!),
    random,
  );
  const out: Record<SplitName, Row[]> = { train: [], validation: [], test: [] };
  let at = 0;
  for (const split of SPLITS) {
    const own = pool.slice(at, at + 2 * counts[split]);
    at += 2 * counts[split];
    own.forEach((s, k) => {
      if (k < counts[split])
        return void out[split].push({ word: s.lemmas[0]!, definition: s.definition, label: "match" });
      const unrelated = own.filter((o) => o !== s && !o.lemmas.some((l) => s.lemmas.includes(l)));
      const same = unrelated.filter((o) => o.supersense === s.supersense);
      const others = same.length > 0 ? same : unrelated;
      const other = others[Math.floor(random() * others.length)]!;
      out[split].push({ word: s.lemmas[0]!, definition: other.definition, label: "mismatch" });
    });
    shuffleInPlace(out[split], random);
  }
  return out;
}

function main(): void {
  const synsets = readSynsets(process.argv[2] ?? debianPackage(...PACKAGE));
  const rows: Row[] = dedupe(
    synsets.map((s) => ({ text: s.definition, label: s.supersense })),
    ["text"],
  );
  writeSplits(join(import.meta.dirname, "supersenses"), stratifiedSplit(rows, SUPERSENSE_COUNTS, SEED), [
    "text",
    "label",
  ]);
  writeSplits(join(import.meta.dirname, "definitions"), definitionPairs(synsets, DEFINITION_COUNTS, SEED), [
    "word",
    "definition",
    "label",
  ]);
}

main();
