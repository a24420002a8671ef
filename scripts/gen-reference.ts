/**
 * Regenerates the generated sections of specs/LANGUAGE.md (atomically). `--check` only reports whether
 * they are current (exit 1 when stale). Run: `npx tsx scripts/gen-reference.ts [--check]`.
 */
import { readFileSync } from "node:fs";
import { atomicWrite } from "../runtime/io/atomic.ts";
import { renderReference } from "./reference-doc.ts";

const path = new URL("../specs/LANGUAGE.md", import.meta.url).pathname;
const doc = readFileSync(path, "utf8");
const next = await renderReference(doc);
if (process.argv.includes("--check")) {
  if (next !== doc) {
    console.error("specs/LANGUAGE.md is stale: run `npx tsx scripts/gen-reference.ts`");
    process.exitCode = 1;
  }
} else if (next !== doc) {
  atomicWrite(path, next);
  console.log("specs/LANGUAGE.md updated");
}
