/**
 * `adapt fmt SPEC [--check|--write]`: prints the canonical layout, rewrites the file in place (atomically)
 * with `--write`, or with `--check` exits 1 when the file is not formatted. A spec with syntax errors is
 * never rewritten.
 */
import { formatText } from "../../compiler/format/format.ts";
import { renderAll } from "../../compiler/diagnostics/render.ts";
import { resolve } from "node:path";
import { parseFlags } from "../args.ts";
import { readText, writeAtomic } from "../files.ts";
import { EXIT, UsageError, type Command } from "../command.ts";

/** The `fmt` command. */
export const fmtCommand: Command = {
  name: "fmt",
  summary: "print a spec in the canonical layout (--write in place, --check to verify)",
  usage: "adapt fmt SPEC [--check|--write]",
  run: async (args, io) => {
    const { flags, positionals } = parseFlags(args, { check: { type: "boolean" }, write: { type: "boolean" } }, [
      "SPEC",
    ]);
    if (flags["check"] && flags["write"]) throw new UsageError("--check and --write cannot be used together");
    const file = positionals[0]!;
    const text = readText(file, io.cwd, "spec");
    const result = formatText(text);
    if (result.value === null) {
      const tagged = result.diagnostics.map((d) => ({ ...d, file }));
      io.stderr(renderAll(tagged, new Map([[file, text]]), { color: io.color }));
      return EXIT.inputErrors;
    }
    if (flags["check"]) {
      if (result.value === text) return EXIT.ok;
      io.stderr(`${file} is not formatted; run \`adapt fmt --write ${file}\`\n`);
      return EXIT.inputErrors;
    }
    if (flags["write"]) {
      if (result.value !== text) writeAtomic(resolve(io.cwd, file), result.value);
      return EXIT.ok;
    }
    io.stdout(result.value);
    return EXIT.ok;
  },
};
