/**
 * `adapt eval ARTIFACT --data FILE [--model M] [--backend B] [--json]`: the trained model rebuilt from an
 * adapter artifact on its base model, evaluated on a data file with the metrics of its plan.
 */
import { resolve } from "node:path";
import { renderAll } from "../../compiler/diagnostics/render.ts";
import { choice, parseFlags } from "../args.ts";
import { EXIT, UsageError, type Command } from "../command.ts";
import { restoreArtifact, startBackend } from "./run-support.ts";

const BACKENDS = ["auto", "tensorflow", "webgpu", "wasm", "cpu"] as const;

/** The `eval` command. */
export const evalCommand: Command = {
  name: "eval",
  summary: "evaluate a trained adapter artifact on a data file",
  usage: "adapt eval ARTIFACT --data FILE [--model M] [--backend auto|tensorflow|wasm|cpu] [--json]",
  run: async (args, io) => {
    const spec = {
      data: { type: "string" },
      model: { type: "string" },
      backend: { type: "string" },
      json: { type: "boolean" },
    } as const;
    const { flags, positionals } = parseFlags(args, spec, ["ARTIFACT"]);
    if (typeof flags["data"] !== "string") throw new UsageError("missing --data FILE");
    if (!(await startBackend(choice(flags["backend"], BACKENDS, "auto", "backend"), io))) return EXIT.usage;
    const restored = await restoreArtifact(resolve(io.cwd, positionals[0]!), flags["model"] as string | undefined, io);
    if (restored === null) return EXIT.inputErrors;
    const { info, model, encoder } = restored;
    const { loadDatasets } = await import("../../runtime/data/load.ts");
    const { batchPadding, encodeSplit, evaluate } = await import("../../runtime/train/evaluate.ts");
    const { inputRoles, outputsProbabilities } = await import("../../runtime/train/feed.ts");
    const data = {
      train: resolve(io.cwd, flags["data"]),
      validation: null,
      test: null,
      format: null,
      text: info.text,
      textPair: info.textPair,
      label: info.label,
    };
    const loaded = await loadDatasets(
      data,
      io.cwd,
      info.task,
      info.task.kind === "classifier" ? info.labelNames : undefined,
    );
    io.stderr(renderAll(loaded.diagnostics, new Map(), { color: io.color }));
    if (loaded.value === null) return EXIT.inputErrors;
    const ctx = { model, roles: inputRoles(model).value!, task: info.task, probabilities: outputsProbabilities(model) };
    const split = encodeSplit(encoder, loaded.value.train, info.maxLength);
    const result = await evaluate(ctx, split, info.metrics, info.batch, batchPadding(encoder.padId, info.maxLength));
    if (flags["json"] === true)
      io.stdout(`${JSON.stringify({ examples: split.labels.length, metrics: result.metrics })}\n`);
    else
      io.stdout(
        `${split.labels.length} examples\n${Object.entries(result.metrics)
          .map(([k, v]) => `${k}: ${v.toFixed(4)}`)
          .join("\n")}\n`,
      );
    return EXIT.ok;
  },
};
