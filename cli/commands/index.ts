/**
 * The registry of subcommands, in the order `adapt --help` lists them. A new command is a file in this
 * folder exporting a `Command`, plus one line here.
 */
import type { Command } from "../command.ts";
import { checkCommand } from "./check.ts";
import { fmtCommand } from "./fmt.ts";

/** All subcommands. */
export const COMMANDS: readonly Command[] = [checkCommand, fmtCommand];
