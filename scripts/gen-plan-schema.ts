/**
 * Writes `specs/plan.schema.json` from `compiler/ir/schema.ts` (the ajv `JSONSchemaType<CompiledPlan>`) and
 * the standalone validators of the plan and of model.json (scripts/validators.ts).
 * Run: `npx tsx scripts/gen-plan-schema.ts` (`--check` exits 1 when either file is stale).
 */
import { readFileSync } from "node:fs";
import { atomicWrite } from "../runtime/io/atomic.ts";
import { planSchemaJson } from "../compiler/ir/schema.ts";
import { VALIDATORS, validatorSource } from "./validators.ts";

const outputs: [string, string][] = [
  [new URL("../specs/plan.schema.json", import.meta.url).pathname, planSchemaJson()],
  ...VALIDATORS.map((v): [string, string] => [v.path, validatorSource(v)]),
];

function current(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

for (const [path, text] of outputs) {
  if (process.argv.includes("--check")) {
    if (current(path) !== text) {
      process.stderr.write(`${path} is stale: run \`npx tsx scripts/gen-plan-schema.ts\`\n`);
      process.exitCode = 1;
    }
  } else {
    atomicWrite(path, text);
    process.stdout.write(`wrote ${path}\n`);
  }
}
