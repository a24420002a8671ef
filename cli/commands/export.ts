/**
 * `adapt export --format peft|adapters ARTIFACT -o DIR [--base NAME]`: an artifact as a folder that the
 * Python peers load: PEFT's (LoRA, IA3) or AdapterHub `adapters`' (bottleneck adapters). Needs no tfjs
 * and no base model: the artifact's plan and weights say everything; `--base` is the name written as the
 * base model (default: the folder of the base model the run used).
 */
import { dirname, resolve } from "node:path";
import { hasErrors, type Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import { renderAll } from "../../compiler/diagnostics/render.ts";
import { choice, parseFlags } from "../args.ts";
import { EXIT, UsageError, type Command } from "../command.ts";

const FORMATS = ["peft", "adapters"] as const;

/** The `export` command. */
export const exportCommand: Command = {
  name: "export",
  summary: "write an artifact's adapters as a PEFT or AdapterHub `adapters` folder for PyTorch",
  usage: "adapt export --format peft|adapters ARTIFACT -o DIR [--base NAME]",
  run: async (args, io) => {
    const spec = { format: { type: "string" }, out: { type: "string", short: "o" }, base: { type: "string" } } as const;
    const { flags, positionals } = parseFlags(args, spec, ["ARTIFACT"]);
    if (flags["format"] === undefined) throw new UsageError("missing --format peft|adapters");
    const format = choice(flags["format"], FORMATS, "peft", "format");
    if (typeof flags["out"] !== "string") throw new UsageError("missing -o DIR (the output folder)");
    const { readArtifact } = await import("../../runtime/artifact/files.ts");
    const { exportPeerFolder } = await import("../../runtime/interchange/export.ts");
    const dir = resolve(io.cwd, positionals[0]!);
    const show = (d: readonly Diagnostic[]): void => io.stderr(renderAll(d, new Map(), { color: io.color }));
    const read = readArtifact(dir);
    show(read.diagnostics);
    if (read.value === null) return EXIT.inputErrors;
    const base =
      typeof flags["base"] === "string" ? flags["base"] : dirname(resolve(dir, read.value.meta.plan.model.path));
    const out = resolve(io.cwd, flags["out"]);
    const result = exportPeerFolder(format, read.value, out, base);
    show(result.diagnostics);
    if (result.value !== null) io.stdout(`wrote ${result.value.map((f) => resolve(out, f)).join(", ")}\n`);
    if (!hasErrors(result.diagnostics)) return EXIT.ok;
    return result.diagnostics.some((d) => d.code === "ADAPT957") ? EXIT.usage : EXIT.inputErrors;
  },
};
