/**
 * The shape of a CLI command and the I/O it may use. Commands return an exit code (0 success, 1 the
 * input has errors, 2 usage or I/O problems); only `cli/` prints or exits.
 */

/** Where a command writes. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** ANSI colours on stderr (a TTY without NO_COLOR). */
  readonly color: boolean;
  readonly cwd: string;
}

/** One subcommand of `adapt`. */
export interface Command {
  readonly name: string;
  /** One line for `adapt --help`. */
  readonly summary: string;
  /** The usage line, e.g. `adapt check SPEC [--model M] [--format text|json]`. */
  readonly usage: string;
  readonly run: (args: readonly string[], io: Io) => Promise<number>;
}

/** A usage error: the command line itself is wrong (exit 2). */
export class UsageError extends Error {}

/** Exit codes of the contract. */
export const EXIT = { ok: 0, inputErrors: 1, usage: 2, interrupted: 130 } as const;
