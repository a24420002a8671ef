/**
 * `adapt predict ARTIFACT TEXT... [--model M] [--backend B] [--json]`: the trained model's prediction
 * for each text: the label and its probability (classifier) or the value (regression). With several
 * artifacts before `--` (`adapt predict A1 A2 -- TEXT...`), every task answers in one forward pass of
 * the shared base layers (see predict-many.ts).
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { choice } from "../args.ts";
import { EXIT, UsageError, type Command } from "../command.ts";
import { restoreArtifact, startBackend } from "./run-support.ts";

const BACKENDS = ["auto", "tensorflow", "webgpu", "wasm", "cpu"] as const;

function parse(args: readonly string[]): {
  flags: Record<string, string | boolean | undefined>;
  positionals: string[];
  texts: string[] | null;
} {
  const sep = args.indexOf("--");
  if (sep >= 0) {
    const head = parseHead(args.slice(0, sep));
    const texts = args.slice(sep + 1);
    if (head.positionals.length === 0) throw new UsageError("missing ARTIFACT before `--`");
    if (texts.length === 0) throw new UsageError("missing TEXT after `--`");
    return { ...head, texts };
  }
  const head = parseHead(args);
  if (head.positionals.length < 2)
    throw new UsageError(head.positionals.length === 0 ? "missing ARTIFACT" : "missing TEXT");
  return { ...head, texts: null };
}

function parseHead(args: readonly string[]): {
  flags: Record<string, string | boolean | undefined>;
  positionals: string[];
} {
  try {
    const options = { model: { type: "string" }, backend: { type: "string" }, json: { type: "boolean" } } as const;
    const { values, positionals } = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    return { flags: values, positionals };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(e instanceof Error ? e.message.split("\n")[0]! : String(e));
  }
}

/** The `predict` command. */
export const predictCommand: Command = {
  name: "predict",
  summary: "predict labels for texts with a trained adapter artifact",
  usage:
    "adapt predict ARTIFACT TEXT... | ARTIFACT... -- TEXT... [--model M] [--backend auto|tensorflow|wasm|cpu] [--json]",
  run: async (args, io) => {
    const { flags, positionals, texts } = parse(args);
    if (!(await startBackend(choice(flags["backend"], BACKENDS, "auto", "backend"), io))) return EXIT.usage;
    if (texts !== null) {
      const { predictMany, printAnswers } = await import("./predict-many.ts");
      const answers = await predictMany(positionals, texts, flags["model"] as string | undefined, io);
      return answers === null ? EXIT.inputErrors : printAnswers(answers, flags["json"] === true, io);
    }
    const restored = await restoreArtifact(resolve(io.cwd, positionals[0]!), flags["model"] as string | undefined, io);
    if (restored === null) return EXIT.inputErrors;
    const { predictTexts } = await import("../../runtime/train/predict.ts");
    const rows = await predictTexts(restored.model, restored.encoder, restored.info, positionals.slice(1));
    if (flags["json"] === true) io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
    else
      for (const r of rows)
        io.stdout(
          `${r.label ?? r.value?.toFixed(4)}${r.probability !== null ? ` (${r.probability.toFixed(3)})` : ""}\t${r.text}\n`,
        );
    return EXIT.ok;
  },
};
