/**
 * `adapt merge ARTIFACT -o DIR [--model M]`: the artifact's LoRA and IA3 adapters folded into its base
 * model, written with the head as one TensorFlow.js LayersModel folder that loads in stock tfjs (with
 * the layer module beside it); refuses, naming them, adapters that do not merge (ADAPT956).
 */
import { dirname, resolve } from "node:path";
import { hasErrors } from "../../compiler/diagnostics/diagnostic.ts";
import { renderAll } from "../../compiler/diagnostics/render.ts";
import type { MergeSummary } from "../../runtime/interchange/merge-folder.ts";
import { parseFlags } from "../args.ts";
import { EXIT, UsageError, type Command } from "../command.ts";
import { openArtifact } from "./run-support.ts";

function summary(s: MergeSummary): string {
  const custom =
    s.customClasses.length > 0
      ? `stock tfjs layers except ${s.customClasses.join(", ")}, which ${s.files.includes("adapt-layers.mjs") ? "adapt-layers.mjs registers (registerLayers(tf))" : "are registered beside it"}`
      : "stock tfjs layers only";
  return [
    `merged ${s.merged} adapter operation(s) into the base: ${s.parameters.toLocaleString("en-US")} parameters, ${custom}`,
    `wrote ${s.files.map((f) => resolve(s.outDir, f)).join(", ")}`,
    "",
  ].join("\n");
}

/** The `merge` command. */
export const mergeCommand: Command = {
  name: "merge",
  summary: "fold an artifact's LoRA/IA3 adapters into its base: a standalone TensorFlow.js model folder",
  usage: "adapt merge ARTIFACT -o DIR [--model M]",
  run: async (args, io) => {
    const spec = { out: { type: "string", short: "o" }, model: { type: "string" } } as const;
    const { flags, positionals } = parseFlags(args, spec, ["ARTIFACT"]);
    if (typeof flags["out"] !== "string") throw new UsageError("missing -o DIR (the output folder)");
    const tf = await import("@tensorflow/tfjs");
    const { silenceCpuBanner } = await import("../../runtime/backend/tensorflow.ts");
    const { mergeToFolder } = await import("../../runtime/interchange/merge-folder.ts");
    await tf.setBackend("cpu");
    silenceCpuBanner();
    const opened = await openArtifact(resolve(io.cwd, positionals[0]!), flags["model"] as string | undefined, io);
    if (opened === null) return EXIT.inputErrors;
    const { read, info, basePath, baseModel } = opened;
    const out = resolve(io.cwd, flags["out"]);
    const result = await mergeToFolder(baseModel, read, out, {
      files: read.files,
      tokenizerFrom: dirname(basePath),
      metadata: { labels: info.labelNames, task: info.task, maxLength: info.maxLength, mergedFrom: read.files.meta },
    });
    baseModel.dispose();
    io.stderr(renderAll(result.diagnostics, new Map(), { color: io.color }));
    if (result.value !== null) io.stdout(summary(result.value));
    if (!hasErrors(result.diagnostics)) return EXIT.ok;
    return result.diagnostics.some((d) => d.code === "ADAPT957") ? EXIT.usage : EXIT.inputErrors;
  },
};
