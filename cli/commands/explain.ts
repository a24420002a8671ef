/**
 * `adapt explain SPEC [--model M] [--json]`: every adapter site (layer index, d, m, parameters), every
 * weight's trainability with the rule (line) that decided it, and the totals.
 */
import { explainJson, explainText } from "../../compiler/lower/explain.ts";
import { parseFlags } from "../args.ts";
import { EXIT, type Command } from "../command.ts";
import { assertValidPlan, compileFile, reportCompile } from "./compile.ts";

/** The `explain` command. */
export const explainCommand: Command = {
  name: "explain",
  summary: "show each adapter site, each weight's trainability and the exact parameter totals",
  usage: "adapt explain SPEC [--model M] [--json]",
  run: async (args, io) => {
    const { flags, positionals } = parseFlags(args, { model: { type: "string" }, json: { type: "boolean" } }, ["SPEC"]);
    const file = positionals[0]!;
    const json = flags["json"] === true;
    const { text, result } = await compileFile(file, flags["model"] as string | undefined, io);
    const plan = reportCompile(io, file, text, result, json);
    if (plan === null) return EXIT.inputErrors;
    assertValidPlan(plan);
    io.stdout(json ? `${JSON.stringify(explainJson(plan), null, 2)}\n` : explainText(plan));
    return EXIT.ok;
  },
};
