/**
 * `adapt worker --queue redis://HOST:PORT[/DB] [--concurrency N] [--backend B] [--model M] [--stall-seconds S]`:
 * trains the points that `adapt sweep SPEC --queue URL` queued, on any machine that sees the sweep
 * folder at the same path (`../queue/worker.ts`).
 */
import { renderAll } from "../../compiler/diagnostics/render.ts";
import { choice, parseFlags } from "../args.ts";
import { EXIT, UsageError, type Command } from "../command.ts";
import { resolve } from "node:path";
import { parseQueueUrl } from "../queue/jobs.ts";
import { runWorker } from "../queue/worker.ts";

const BACKENDS = ["auto", "tensorflow", "webgpu", "wasm", "cpu"] as const;

/** The `worker` command. */
export const workerCommand: Command = {
  name: "worker",
  summary: "train the points of sweeps queued with `adapt sweep --queue` (run one per machine)",
  usage:
    "adapt worker --queue redis://HOST:PORT[/DB] [--concurrency N] [--backend auto|tensorflow|webgpu|wasm|cpu] [--model M] [--stall-seconds S]",
  run: async (args, io) => {
    const spec = {
      queue: { type: "string" },
      concurrency: { type: "string" },
      backend: { type: "string" },
      model: { type: "string" },
      "stall-seconds": { type: "string" },
    } as const;
    const { flags } = parseFlags(args, spec, []);
    if (typeof flags["queue"] !== "string")
      throw new UsageError("`adapt worker` needs `--queue redis://HOST:PORT[/DB]`");
    const { address, problem } = parseQueueUrl(flags["queue"]);
    if (problem || address === null)
      return (io.stderr(renderAll(problem ? [problem] : [], new Map(), { color: io.color })), EXIT.inputErrors);
    const backend = flags["backend"] === undefined ? undefined : choice(flags["backend"], BACKENDS, "auto", "backend");
    const model = typeof flags["model"] === "string" ? resolve(io.cwd, flags["model"]) : undefined;
    return runWorker({
      address,
      url: flags["queue"],
      concurrency: positive(flags["concurrency"], 1, "--concurrency"),
      backend,
      model,
      stallSeconds: positive(flags["stall-seconds"], 30, "--stall-seconds"),
      io,
    });
  },
};

function positive(v: string | boolean | undefined, fallback: number, name: string): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} takes a positive integer, not \`${String(v)}\``);
  return n;
}
