/**
 * `adapt check SPEC [--model M] [--format text|json]`: the diagnostics of a spec, rendered rustc-style
 * on stderr or as the contract's JSON array on stdout, from one run of the compile pipeline (`.adapt` or
 * YAML alike). When the spec names a model (or `--model` is given) the spec is also resolved against
 * it, so selectors, sizes and shapes are checked too. Exit 1 when there are errors.
 */
import { hasErrors } from "../../compiler/diagnostics/diagnostic.ts";
import { renderAll, toJson } from "../../compiler/diagnostics/render.ts";
import { choice, parseFlags } from "../args.ts";
import { modelFileLoader, readText, usedArtifactLoader } from "../files.ts";
import { dirname, resolve } from "node:path";
import { compileSweepText, isSweepText } from "../../compiler/sweep/compile-sweep.ts";
import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import { EXIT, type Command, type Io } from "../command.ts";
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
    const { text, diagnostics } = await diagnose(file, flags["model"] as string | undefined, io);
    if (format === "json") io.stdout(`${JSON.stringify(toJson(diagnostics), null, 2)}\n`);
    else io.stderr(renderAll(diagnostics, new Map([[file, text]]), { color: io.color }));
    return hasErrors(diagnostics) ? EXIT.inputErrors : EXIT.ok;
  },
};

async function diagnose(
  file: string,
  model: string | undefined,
  io: Io,
): Promise<{ text: string; diagnostics: readonly Diagnostic[] }> {
  const text = readText(file, io.cwd, "spec");
  if (isSweepText(text)) return { text, diagnostics: await diagnoseSweep(file, text, model, io) };
  const { result } = await compileFile(file, model, io, { modelOptional: true });
  return { text, diagnostics: result.diagnostics };
}

/** A sweep spec: every point checked; without a model (none named, no `--model`) only model-free rules. */
async function diagnoseSweep(
  file: string,
  text: string,
  model: string | undefined,
  io: Io,
): Promise<readonly Diagnostic[]> {
  const specDir = dirname(resolve(io.cwd, file));
  const override = model === undefined ? undefined : resolve(io.cwd, model);
  const r = await compileSweepText(text, file, {
    loader: modelFileLoader(specDir),
    artifacts: usedArtifactLoader(specDir),
    modelOverride: override,
  });
  return model === undefined ? r.diagnostics.filter((d) => d.code !== "ADAPT127") : r.diagnostics;
}
