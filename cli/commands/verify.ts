/**
 * `adapt verify SPEC [--model M] [--json]`: compiles the spec against its model, loads the model's
 * weights, applies the surgery and checks identity at step 0, the trainable set, the save/load round
 * trips and (with LoRA) the merge. Prints the largest deviation; exit 1 with a coded diagnostic when a
 * check fails, 2 when the model cannot be loaded.
 */
import { dirname, resolve } from "node:path";
import { diag, FILE_START, hasErrors } from "../../compiler/diagnostics/diagnostic.ts";
import { renderAll } from "../../compiler/diagnostics/render.ts";
import type { VerifyReport } from "../../runtime/verify.ts";
import { parseFlags } from "../args.ts";
import { EXIT, type Command, type Io } from "../command.ts";
import { modelFileLoader, usedArtifactLoader, readText } from "../files.ts";

function fmt(n: number | null): string {
  return n === null ? "-" : n === 0 ? "0" : n.toExponential(3);
}

/** The text report: one line per check, then the largest deviation. */
export function renderReport(r: VerifyReport): string {
  const lines = r.checks.map((c) => {
    const dev = c.deviation === null ? "" : ` (deviation ${fmt(c.deviation)}, tolerance ${fmt(c.tolerance)})`;
    return `${c.ok ? "ok  " : "FAIL"} ${c.name.padEnd(9)} ${c.detail}${dev}`;
  });
  lines.push(`largest deviation at step 0: ${fmt(r.maxDeviation)}`);
  lines.push(`trainable parameters: ${r.trainable}; adapter artifact: ${r.artifactBytes} bytes`);
  return `${lines.join("\n")}\n`;
}

async function loadBase(path: string, io: Io, file: string) {
  const tf = await import("@tensorflow/tfjs");
  await import("../../runtime/bert/layers.ts");
  const { loadLayersModelFile } = await import("../../runtime/io/file-io.ts");
  const { silenceCpuBanner } = await import("../../runtime/backend/tensorflow.ts");
  await tf.setBackend("cpu");
  silenceCpuBanner();
  try {
    return await loadLayersModelFile(path);
  } catch (e) {
    const message = e instanceof Error ? (e.message.split("\n")[0] ?? "") : String(e);
    io.stderr(
      renderAll(
        [{ ...diag("ADAPT125", FILE_START, `the model \`${path}\` cannot be loaded: ${message}`), file }],
        new Map(),
        { color: io.color },
      ),
    );
    return null;
  }
}

/** The `verify` command. */
export const verifyCommand: Command = {
  name: "verify",
  summary: "apply the surgery and check identity at step 0, the trainable set and save/load round trips",
  usage: "adapt verify SPEC [--model M] [--json]",
  run: async (args, io) => {
    const { flags, positionals } = parseFlags(args, { model: { type: "string" }, json: { type: "boolean" } }, ["SPEC"]);
    const file = resolve(io.cwd, positionals[0] ?? "");
    const text = readText(file, io.cwd, "spec");
    const { runPipeline } = await import("../../compiler/compile.ts");
    const { notASweep } = await import("../../compiler/sweep/compile-sweep.ts");
    const sweep = notASweep(text, file, "verify");
    if (sweep !== null)
      return (io.stderr(renderAll([sweep], new Map([[file, text]]), { color: io.color })), EXIT.inputErrors);
    const override = typeof flags["model"] === "string" ? resolve(io.cwd, flags["model"]) : undefined;
    const compiled = await runPipeline(
      { text, file, modelOverride: override, artifacts: usedArtifactLoader(dirname(file)) },
      modelFileLoader(dirname(file)),
    );
    const sources = new Map([[file, text]]);
    io.stderr(renderAll(compiled.diagnostics, sources, { color: io.color }));
    const plan = compiled.value.plan;
    if (plan === null || hasErrors(compiled.diagnostics)) return EXIT.inputErrors;
    const base = await loadBase(resolve(dirname(file), plan.model.path), io, file);
    if (base === null) return EXIT.usage;
    const { verifyPlan } = await import("../../runtime/verify.ts");
    const result = await verifyPlan(base, plan);
    const diagnostics = result.diagnostics.map((d) => ({ ...d, file: d.file ?? file }));
    io.stderr(renderAll(diagnostics, sources, { color: io.color }));
    if (result.value !== null)
      io.stdout(flags["json"] === true ? `${JSON.stringify(result.value, null, 2)}\n` : renderReport(result.value));
    return result.value?.ok === true && !hasErrors(diagnostics) ? EXIT.ok : EXIT.inputErrors;
  },
};
