/**
 * `adapt import hf DIR -o OUT [--pooler] [--dropout]`: a Hugging Face BERT-family checkpoint folder to a
 * TensorFlow.js LayersModel named by the checkpoint's module paths, with the tokenizer beside it.
 * `adapt import peft|adapters DIR --model M -o ARTIFACT`: an adapter saved by PEFT or AdapterHub
 * `adapters` (safetensors) as an adapt artifact on the base model M.
 * tfjs is loaded only when the command runs, so `adapt --help` stays fast.
 */
import { resolve } from "node:path";
import { diag, FILE_START, hasErrors, type Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import { renderAll } from "../../compiler/diagnostics/render.ts";
import type { ImportSummary } from "../../runtime/import/import-hf.ts";
import { parseFlags } from "../args.ts";
import { EXIT, UsageError, type Command, type Io } from "../command.ts";

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
  summary: "convert a Hugging Face BERT checkpoint, or a PEFT / adapters adapter, for adapt",
  usage: "adapt import hf DIR -o OUT [--pooler] [--dropout] | adapt import peft|adapters DIR --model M -o ARTIFACT",
  run: async (args, io) => {
    const spec = {
      out: { type: "string", short: "o" },
      pooler: { type: "boolean" },
      dropout: { type: "boolean" },
      model: { type: "string" },
    } as const;
    const { flags, positionals } = parseFlags(args, spec, ["SOURCE", "DIR"]);
    const source = positionals[0];
    if (source !== "hf" && source !== "peft" && source !== "adapters")
      throw new UsageError(`unknown source \`${source}\`; the sources are \`hf\`, \`peft\` and \`adapters\``);
    if (typeof flags["out"] !== "string") throw new UsageError("missing -o OUT (the output folder)");
    if (source !== "hf") return importPeer(source, positionals[1]!, flags["out"], flags["model"], io);
    const tf = await import("@tensorflow/tfjs");
    const { importHf } = await import("../../runtime/import/import-hf.ts");
    const { silenceCpuBanner } = await import("../../runtime/backend/tensorflow.ts");
    await tf.setBackend("cpu");
    silenceCpuBanner();
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

/** `adapt import peft|adapters DIR --model M -o ARTIFACT`. */
async function importPeer(
  library: "peft" | "adapters",
  dirArg: string,
  outArg: string,
  model: string | boolean | undefined,
  io: Io,
): Promise<number> {
  if (typeof model !== "string") throw new UsageError("missing --model M (the base model's model.json)");
  const tf = await import("@tensorflow/tfjs");
  const { silenceCpuBanner } = await import("../../runtime/backend/tensorflow.ts");
  const { loadLayersModelFile } = await import("../../runtime/io/file-io.ts");
  const { convertPeerAdapter } = await import("../../runtime/interchange/read-peer.ts");
  const { writeArtifact } = await import("../../runtime/artifact/files.ts");
  await tf.setBackend("cpu");
  silenceCpuBanner();
  const show = (d: readonly Diagnostic[]): void => io.stderr(renderAll(d, new Map(), { color: io.color }));
  const basePath = resolve(io.cwd, model);
  let base: Awaited<ReturnType<typeof loadLayersModelFile>>;
  try {
    base = await loadLayersModelFile(basePath);
  } catch (e) {
    const why = e instanceof Error ? e.message.split("\n")[0]! : String(e);
    show([{ ...diag("ADAPT125", FILE_START, `the base model cannot be loaded: ${why}`), file: basePath }]);
    return EXIT.usage;
  }
  const dir = resolve(io.cwd, dirArg);
  const converted = await convertPeerAdapter(dir, base, basePath);
  base.dispose();
  show(converted.diagnostics);
  if (converted.value === null) return EXIT.inputErrors;
  if (converted.value.library !== library) {
    show([
      {
        ...diag("ADAPT959", FILE_START, `the folder is a ${converted.value.library} adapter, not ${library}`),
        file: dir,
      },
    ]);
    return EXIT.inputErrors;
  }
  const out = resolve(io.cwd, outArg);
  const written = writeArtifact(out, converted.value.artifact);
  show(written.diagnostics);
  if (written.value === null) return EXIT.usage;
  const plan = converted.value.artifact.meta.plan;
  io.stdout(
    `imported ${plan.operations.length} ${library} adapter operation(s), ${plan.totals.added.toLocaleString("en-US")} parameters, into ${out} (the spec is in adapter.json)\n`,
  );
  return EXIT.ok;
}
