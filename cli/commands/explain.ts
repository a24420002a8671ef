/**
 * `adapt explain SPEC [--model M] [--json]`: every adapter site (layer index, d, m, parameters), every
 * weight's trainability with the rule (line) that decided it, and the totals. For a sweep spec: every
 * point with its axis values and trainable parameters, and stage 2 of `seed ... for best`.
 */
import { resolve } from "node:path";
import { explainJson, explainText } from "../../compiler/lower/explain.ts";
import { parseFlags } from "../args.ts";
import { EXIT, type Command } from "../command.ts";
import { assertValidPlan, compileFile, compileSweepFile, reportCompile } from "./compile.ts";
import { sweepExplainJson, sweepExplainText } from "../sweep/explain.ts";
import { explainEstimate, FROZEN_CACHE_FLAGS, frozenCacheOptions } from "../frozen-cache.ts";

/** The `explain` command. */
export const explainCommand: Command = {
  name: "explain",
  summary: "show each adapter site, each weight's trainability and the exact parameter totals",
  usage: "adapt explain SPEC [--model M] [--json] [--frozen-cache on|off] [--frozen-cache-memory SIZE]",
  run: async (args, io) => {
    const spec = { model: { type: "string" }, json: { type: "boolean" }, ...FROZEN_CACHE_FLAGS } as const;
    const { flags, positionals } = parseFlags(args, spec, ["SPEC"]);
    const cache = frozenCacheOptions(flags);
    const file = positionals[0]!;
    const json = flags["json"] === true;
    const sweep = await compileSweepFile(file, flags["model"] as string | undefined, io, json);
    if (sweep === null) return EXIT.inputErrors;
    if (sweep !== undefined) {
      sweep.points.forEach((p) => assertValidPlan(p.plan));
      io.stdout(json ? `${JSON.stringify(sweepExplainJson(sweep), null, 2)}\n` : sweepExplainText(sweep));
      return EXIT.ok;
    }
    const { text, result } = await compileFile(file, flags["model"] as string | undefined, io);
    const plan = reportCompile(io, file, text, result, json);
    if (plan === null) return EXIT.inputErrors;
    assertValidPlan(plan);
    const estimate = await explainEstimate(plan, resolve(io.cwd, file), cache.enabled ? cache.memoryBytes : null);
    io.stdout(json ? `${JSON.stringify(explainJson(plan, estimate), null, 2)}\n` : explainText(plan, estimate));
    return EXIT.ok;
  },
};
