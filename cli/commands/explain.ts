/**
 * `adapt explain SPEC [--model M] [--json]`: every adapter site (layer index, d, m, parameters), every
 * weight's trainability with the rule (line) that decided it, and the totals. For a sweep spec: every
 * point with its axis values and trainable parameters, and stage 2 of `seed ... for best`.
 */
import { explainJson, explainText } from "../../compiler/lower/explain.ts";
import { parseFlags } from "../args.ts";
import { EXIT, type Command } from "../command.ts";
import { assertValidPlan, compileFile, compileSweepFile, reportCompile } from "./compile.ts";
import { sweepExplainJson, sweepExplainText } from "../sweep/explain.ts";

/** The `explain` command. */
export const explainCommand: Command = {
  name: "explain",
  summary: "show each adapter site, each weight's trainability and the exact parameter totals",
  usage: "adapt explain SPEC [--model M] [--json]",
  run: async (args, io) => {
    const { flags, positionals } = parseFlags(args, { model: { type: "string" }, json: { type: "boolean" } }, ["SPEC"]);
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
    io.stdout(json ? `${JSON.stringify(explainJson(plan), null, 2)}\n` : explainText(plan));
    return EXIT.ok;
  },
};
