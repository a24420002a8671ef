/** Runs the `adapt` command in-process, as the CLI tests do, capturing what it prints. */
import type { Io } from "../command.ts";
import { main } from "../main.ts";

/** The exit code and the text written to stdout and stderr by `adapt ARGS` run in `cwd`. */
export async function runCli(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: Io = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), color: false, cwd };
  const code = await main(args, io);
  return { code, out, err };
}
