/**
 * `adapt inspect MODEL [--json]`: a model's layer paths, classes, output shapes and parameter counts,
 * read from model.json alone (no weight bytes).
 */
import { renderAll, toJson } from "../../compiler/diagnostics/render.ts";
import { inspectJson, inspectText } from "../../compiler/lower/explain.ts";
import { readManifest } from "../../compiler/model/manifest.ts";
import { parseFlags } from "../args.ts";
import { readText } from "../files.ts";
import { EXIT, type Command } from "../command.ts";

/** The `inspect` command. */
export const inspectCommand: Command = {
  name: "inspect",
  summary: "list a model's layer paths, classes, output shapes and parameter counts",
  usage: "adapt inspect MODEL [--json]",
  run: async (args, io) => {
    const { flags, positionals } = parseFlags(args, { json: { type: "boolean" } }, ["MODEL"]);
    const file = positionals[0]!;
    const json = flags["json"] === true;
    const manifest = readManifest(readText(file, io.cwd, "model"), file);
    if (manifest.value === null) {
      io.stderr(
        json
          ? `${JSON.stringify(toJson(manifest.diagnostics), null, 2)}\n`
          : renderAll(manifest.diagnostics, new Map(), { color: io.color }),
      );
      return EXIT.inputErrors;
    }
    io.stdout(json ? `${JSON.stringify(inspectJson(manifest.value), null, 2)}\n` : inspectText(manifest.value));
    return EXIT.ok;
  },
};
