/**
 * Entry point of the `adapt` command line: dispatches to the subcommands, turns usage errors into
 * exit code 2, and never lets a stack trace reach the user.
 */
import { readFileSync } from "node:fs";
import { COMMANDS } from "./commands/index.ts";
import { EXIT, UsageError, type Io } from "./command.ts";
import { didYouMean } from "../compiler/diagnostics/suggest.ts";

/** The package version, read from package.json. */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

/** The text of `adapt --help`. */
export function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  const usages = COMMANDS.map((c) => `  ${c.usage}`);
  return [
    `adapt ${version()}: declarative adapter surgery for TensorFlow.js models`,
    "",
    "Usage: adapt <command> [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Usage of each command:",
    ...usages,
    "",
    "Exit codes: 0 success, 1 the input has errors, 2 usage or I/O problems.",
    "Options: --help, --version. Set NO_COLOR to turn colours off.",
    "",
  ].join("\n");
}

/** The default I/O: the process's streams. */
export function processIo(): Io {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    color: Boolean(process.stderr.isTTY) && process.env["NO_COLOR"] === undefined,
    cwd: process.cwd(),
  };
}

/** Runs `adapt` with `argv` (without node and the script) and returns the exit code. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    io.stdout(helpText());
    return first === undefined ? EXIT.usage : EXIT.ok;
  }
  if (first === "--version" || first === "-V") {
    io.stdout(`${version()}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (command === undefined) {
    const hint = didYouMean(
      first,
      COMMANDS.map((c) => c.name),
    );
    io.stderr(`adapt: unknown command \`${first}\`${hint ? `; ${hint}` : ""}\nRun \`adapt --help\` for the list.\n`);
    return EXIT.usage;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(`Usage: ${command.usage}\n\n${command.summary}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`adapt ${command.name}: ${e.message}\nUsage: ${command.usage}\n`);
      return EXIT.usage;
    }
    const message = e instanceof Error ? e.message : String(e);
    io.stderr(
      `adapt ${command.name}: internal error: ${message}\nThis is a bug in adapt; please report it with the input that caused it.\n`,
    );
    if (process.env["ADAPT_DEBUG"] && e instanceof Error) io.stderr(`${e.stack}\n`);
    return EXIT.usage;
  }
}
