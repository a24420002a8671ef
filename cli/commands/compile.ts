/**
 * `adapt compile SPEC [--model M] [--emit json|yaml] [-o FILE]`: the compiled plan, validated against
 * its JSON Schema, on stdout or written atomically to FILE; for a sweep spec, an array of
 * `{ point, plan }`, one per point. Also the pieces `explain` shares: reading
 * the model relative to the spec's folder, and compiling with diagnostics rendered.
 */
import { dirname, resolve } from "node:path";
import { stringify } from "yaml";
import { runPipeline, type CompileOutcome } from "../../compiler/compile.ts";
import { hasErrors, type StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import { renderAll, toJson } from "../../compiler/diagnostics/render.ts";
import { validatePlan } from "../../compiler/ir/schema.ts";
import type { CompiledPlan } from "../../compiler/ir/types.ts";
import { choice, parseFlags } from "../args.ts";
import { modelFileLoader, readText, usedArtifactLoader, writeAtomic } from "../files.ts";
import { EXIT, UsageError, type Command, type Io } from "../command.ts";
import { compileSweepText, isSweepText, type SweepOutcome } from "../../compiler/sweep/compile-sweep.ts";
import { sweepPlans } from "../sweep/explain.ts";

/** Options of `compileFile`. */
export interface CompileFileOptions {
  /** `run` makes an incomplete plan or a missing head an error. */
  readonly purpose?: "check" | "run";
  /** `check`: a spec without a model is checked without one. */
  readonly modelOptional?: boolean;
}

/** Runs the pipeline on SPEC (relative to the cwd) with an optional `--model` (relative to the cwd). */
export async function compileFile(
  file: string,
  model: string | undefined,
  io: Io,
  opts: CompileFileOptions = {},
): Promise<{ text: string; result: StageResult<CompileOutcome> }> {
  const text = readText(file, io.cwd, "spec");
  const specDir = dirname(resolve(io.cwd, file));
  const modelOverride = model === undefined ? undefined : resolve(io.cwd, model);
  const result = await runPipeline(
    { text, file, modelOverride, artifacts: usedArtifactLoader(specDir), ...opts },
    modelFileLoader(specDir),
  );
  return { text, result };
}

/**
 * For a sweep spec: every point compiled, diagnostics rendered (JSON on stderr when `json`); null when
 * there are errors. Undefined when the file is a single-run spec.
 */
export async function compileSweepFile(
  file: string,
  model: string | undefined,
  io: Io,
  json = false,
): Promise<SweepOutcome | null | undefined> {
  const text = readText(file, io.cwd, "spec");
  if (!isSweepText(text)) return undefined;
  const specDir = dirname(resolve(io.cwd, file));
  const r = await compileSweepText(text, file, {
    loader: modelFileLoader(specDir),
    artifacts: usedArtifactLoader(specDir),
    modelOverride: model === undefined ? undefined : resolve(io.cwd, model),
  });
  if (json && r.diagnostics.length > 0) io.stderr(`${JSON.stringify(toJson(r.diagnostics), null, 2)}\n`);
  else io.stderr(renderAll(r.diagnostics, new Map([[file, text]]), { color: io.color }));
  return hasErrors(r.diagnostics) ? null : r.value;
}

/** Renders diagnostics (text on stderr, or JSON on stderr when `json`); the plan when there is one. */
export function reportCompile(
  io: Io,
  file: string,
  text: string,
  outcome: { value: CompileOutcome; diagnostics: Parameters<typeof toJson>[0] },
  json = false,
): CompiledPlan | null {
  if (json && outcome.diagnostics.length > 0) io.stderr(`${JSON.stringify(toJson(outcome.diagnostics), null, 2)}\n`);
  else io.stderr(renderAll(outcome.diagnostics, new Map([[file, text]]), { color: io.color }));
  return hasErrors(outcome.diagnostics) ? null : outcome.value.plan;
}

/** Throws (an internal error, exit 2) when a plan fails its schema: that is a bug, never user input. */
export function assertValidPlan(plan: CompiledPlan): void {
  const errors = validatePlan(plan);
  if (errors.length > 0)
    throw new Error(`the compiled plan does not match specs/plan.schema.json: ${errors.join("; ")}`);
}

/** The `compile` command. */
export const compileCommand: Command = {
  name: "compile",
  summary: "resolve a spec against its model and print the compiled plan (JSON or YAML)",
  usage: "adapt compile SPEC [--model M] [--emit json|yaml] [-o FILE]",
  run: async (args, io) => {
    const { flags, positionals } = parseFlags(
      args,
      { model: { type: "string" }, emit: { type: "string" }, output: { type: "string", short: "o" } },
      ["SPEC"],
    );
    const emit = choice(flags["emit"], ["json", "yaml"] as const, "json", "emit");
    const out = flags["output"] as string | undefined;
    if (out === "") throw new UsageError("-o needs a file name");
    const file = positionals[0]!;
    const sweep = await compileSweepFile(file, flags["model"] as string | undefined, io);
    let value: unknown;
    if (sweep !== undefined) {
      if (sweep === null) return EXIT.inputErrors;
      const plans = sweepPlans(sweep);
      plans.forEach((p) => assertValidPlan(p.plan));
      value = plans;
    } else {
      const { text, result } = await compileFile(file, flags["model"] as string | undefined, io);
      const plan = reportCompile(io, file, text, result);
      if (plan === null) return EXIT.inputErrors;
      assertValidPlan(plan);
      value = plan;
    }
    const body = emit === "yaml" ? stringify(value, { lineWidth: 0 }) : `${JSON.stringify(value, null, 2)}\n`;
    if (out === undefined) io.stdout(body);
    else writeAtomic(resolve(io.cwd, out), body);
    return EXIT.ok;
  },
};
