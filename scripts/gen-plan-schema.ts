/**
 * Writes `specs/plan.schema.json` from `compiler/ir/schema.ts` (the ajv `JSONSchemaType<CompiledPlan>`).
 * Run: `npx tsx scripts/gen-plan-schema.ts` (`--check` exits 1 when the file is stale).
 */
import { readFileSync } from "node:fs";
import { atomicWrite } from "../runtime/io/atomic.ts";
import { planSchemaJson } from "../compiler/ir/schema.ts";

const path = new URL("../specs/plan.schema.json", import.meta.url).pathname;
const text = planSchemaJson();
if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(path, "utf8");
  } catch {
    current = "";
  }
  if (current !== text) {
    process.stderr.write("specs/plan.schema.json is stale: run `npx tsx scripts/gen-plan-schema.ts`\n");
    process.exitCode = 1;
  }
} else {
  atomicWrite(path, text);
  process.stdout.write(`wrote ${path}\n`);
}
