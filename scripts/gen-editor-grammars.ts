/**
 * Writes the editor grammars generated from grammar/tokens.ts: the VS Code TextMate grammar and the
 * highlight.js language definition (see editors/generate/). `--check` writes nothing and exits 1 when
 * a committed file is stale. Usage: `npx tsx scripts/gen-editor-grammars.ts [--check]`.
 */
import { readFileSync, existsSync } from "node:fs";
import { atomicWrite } from "../runtime/io/atomic.ts";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generatedFiles } from "../editors/generate/outputs.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const check = process.argv.includes("--check");
let stale = 0;
for (const f of generatedFiles()) {
  const path = join(root, f.path);
  const current = existsSync(path) ? readFileSync(path, "utf8") : null;
  if (current === f.text) continue;
  stale++;
  if (check) {
    console.error(`${f.path} is stale; run \`npx tsx scripts/gen-editor-grammars.ts\``);
    continue;
  }
  atomicWrite(path, f.text);
  console.log(`wrote ${f.path}`);
}
if (check && stale > 0) process.exitCode = 1;
