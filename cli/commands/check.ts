/**
 * `adapt check SPEC [--model M] [--format text|json]`: the diagnostics of a spec, rendered rustc-style
 * on stderr or as the contract's JSON array on stdout, from one run of the compile pipeline (`.adapt` or
 * YAML alike). When the spec names a model (or `--model` is given) the spec is also resolved against
 * it, so selectors, sizes and shapes are checked too. Exit 1 when there are errors.
 */
import { hasErrors } from "../../compiler/diagnostics/diagnostic.ts";
import { renderAll, toJson } from "../../compiler/diagnostics/render.ts";
import { choice, parseFlags } from "../args.ts";
import { EXIT, type Command } from "../command.ts";
import { compileFile } from "./compile.ts";

/** The `check` command. */
export const checkCommand: Command = {
  name: "check",
  summary: "report the problems of a spec (syntax, names, arguments, plan; selectors and shapes against its model)",
  usage: "adapt check SPEC [--model M] [--format text|json]",
  run: async (args, io) => {
    const { flags, positionals } = parseFlags(args, { model: { type: "string" }, format: { type: "string" } }, [
      "SPEC",
    ]);
    const format = choice(flags["format"], ["text", "json"] as const, "text", "format");
    const file = positionals[0]!;
    const { text, result } = await compileFile(file, flags["model"] as string | undefined, io, { modelOptional: true });
    const diagnostics = result.diagnostics;
    if (format === "json") io.stdout(`${JSON.stringify(toJson(diagnostics), null, 2)}\n`);
    else io.stderr(renderAll(diagnostics, new Map([[file, text]]), { color: io.color }));
    return hasErrors(diagnostics) ? EXIT.inputErrors : EXIT.ok;
  },
};
