/**
 * `adapt import hf DIR -o OUT [--pooler] [--dropout]`: a Hugging Face BERT-family checkpoint folder to a
 * TensorFlow.js LayersModel named by the checkpoint's module paths, with the tokenizer beside it.
 * tfjs is loaded only when the command runs, so `adapt --help` stays fast.
 */
import { resolve } from "node:path";
import { hasErrors } from "../../compiler/diagnostics/diagnostic.ts";
import { renderAll } from "../../compiler/diagnostics/render.ts";
import type { ImportSummary } from "../../runtime/import/import-hf.ts";
import { parseFlags } from "../args.ts";
import { EXIT, UsageError, type Command } from "../command.ts";

function summary(s: ImportSummary): string {
  const c = s.config;
  return [
    `imported a BERT encoder: ${c.numHiddenLayers} layers, hidden ${c.hiddenSize}, ${c.numAttentionHeads} heads, vocabulary ${c.vocabSize}`,
    `${s.layers} tfjs layers, ${s.parameters.toLocaleString("en-US")} parameters from ${s.tensorsLoaded} checkpoint tensors`,
    `wrote ${resolve(s.outDir, "model.json")}${s.copied.length > 0 ? ` with ${s.copied.join(", ")}` : ""}`,
    "",
  ].join("\n");
}

/** The `import` command. */
export const importCommand: Command = {
  name: "import",
  summary: "convert a Hugging Face BERT checkpoint (safetensors) to a TensorFlow.js LayersModel",
  usage: "adapt import hf DIR -o OUT [--pooler] [--dropout]",
  run: async (args, io) => {
    const spec = {
      out: { type: "string", short: "o" },
      pooler: { type: "boolean" },
      dropout: { type: "boolean" },
    } as const;
    const { flags, positionals } = parseFlags(args, spec, ["SOURCE", "DIR"]);
    if (positionals[0] !== "hf")
      throw new UsageError(`unknown source \`${positionals[0]}\`; the only source is \`hf\``);
    if (typeof flags["out"] !== "string") throw new UsageError("missing -o OUT (the output folder)");
    const tf = await import("@tensorflow/tfjs");
    const { importHf } = await import("../../runtime/import/import-hf.ts");
    await tf.setBackend("cpu");
    const dir = resolve(io.cwd, positionals[1]!);
    const out = resolve(io.cwd, flags["out"]);
    const result = await importHf(dir, out, { pooler: flags["pooler"] === true, dropout: flags["dropout"] === true });
    io.stderr(renderAll(result.diagnostics, new Map(), { color: io.color }));
    if (result.value !== null) io.stdout(summary(result.value));
    if (hasErrors(result.diagnostics))
      return result.value === null && result.diagnostics.some((d) => d.code === "ADAPT967")
        ? EXIT.usage
        : EXIT.inputErrors;
    return EXIT.ok;
  },
};
