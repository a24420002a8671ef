/**
 * The registry of subcommands, in the order `adapt --help` lists them. A new command is a file in this
 * folder exporting a `Command`, plus one line here.
 */
import type { Command } from "../command.ts";
import { checkCommand } from "./check.ts";
import { fmtCommand } from "./fmt.ts";
import { compileCommand } from "./compile.ts";
import { explainCommand } from "./explain.ts";
import { inspectCommand } from "./inspect.ts";
import { importCommand } from "./import.ts";
import { mergeCommand } from "./merge.ts";
import { exportCommand } from "./export.ts";
import { runCommand } from "./run.ts";
import { evalCommand } from "./eval.ts";
import { predictCommand } from "./predict.ts";
import { verifyCommand } from "./verify.ts";
import { sweepCommand } from "./sweep.ts";
import { reportCommand } from "./report.ts";
import { workerCommand } from "./worker.ts";

/** All subcommands. */
export const COMMANDS: readonly Command[] = [
  checkCommand,
  fmtCommand,
  compileCommand,
  explainCommand,
  inspectCommand,
  importCommand,
  runCommand,
  sweepCommand,
  workerCommand,
  reportCommand,
  evalCommand,
  predictCommand,
  verifyCommand,
  mergeCommand,
  exportCommand,
];
