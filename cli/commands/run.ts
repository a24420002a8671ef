/**
 * `adapt run SPEC [--backend B] [--resume] [--model M]`: trains per the spec's plan. Progress on stderr
 * (a bar on a terminal, plain lines otherwise), a JSONL log, checkpoints and the adapter-only artifact
 * in the plan's output folder, and a closing summary. Ctrl-C saves a checkpoint and exits 130.
 */
import { dirname, resolve } from "node:path";
import { hasErrors } from "../../compiler/diagnostics/diagnostic.ts";
import { renderAll } from "../../compiler/diagnostics/render.ts";
import { choice, parseFlags } from "../args.ts";
import { EXIT, type Command, type Io } from "../command.ts";
import { readText } from "../files.ts";
import { FROZEN_CACHE_FLAGS, frozenCacheOptions } from "../frozen-cache.ts";
import { compileForRun, saveRunArtifact, startBackend } from "./run-support.ts";

const BACKENDS = ["auto", "tensorflow", "webgpu", "wasm", "cpu"] as const;

/** Installs a Ctrl-C handler that asks the loop to stop; a second Ctrl-C exits at once. */
function stopOnSigint(io: Io): { stop: () => boolean; dispose: () => void } {
  let requested = false;
  const handler = (): void => {
    if (requested) process.exit(EXIT.interrupted);
    requested = true;
    io.stderr("\ninterrupt: saving a checkpoint after this step (Ctrl-C again to quit now)\n");
  };
  process.on("SIGINT", handler);
  return { stop: () => requested, dispose: () => process.off("SIGINT", handler) };
}

/** The `run` command. */
export const runCommand: Command = {
  name: "run",
  summary: "train per the spec's plan: progress, JSONL log, checkpoints, adapter-only artifact",
  usage:
    "adapt run SPEC [--backend auto|tensorflow|webgpu|wasm|cpu] [--resume] [--model M] [--frozen-cache on|off] [--frozen-cache-memory SIZE]",
  run: async (args, io) => {
    const spec = {
      backend: { type: "string" },
      resume: { type: "boolean" },
      model: { type: "string" },
      ...FROZEN_CACHE_FLAGS,
    } as const;
    const { flags, positionals } = parseFlags(args, spec, ["SPEC"]);
    const frozenCache = frozenCacheOptions(flags);
    const backend = choice(flags["backend"], BACKENDS, "auto", "backend");
    const file = resolve(io.cwd, positionals[0]!);
    const text = readText(file, io.cwd, "spec");
    const compiled = await compileForRun(text, file, flags["model"] as string | undefined, io);
    if (compiled === null) return EXIT.inputErrors;
    const started = await startBackend(backend, io);
    if (started === null) return EXIT.usage;
    const { runSession } = await import("../../runtime/train/session.ts");
    const { ProgressRenderer, renderSummary } = await import("../../runtime/output/progress.ts");
    const progress = new ProgressRenderer({ tty: io.color, width: process.stderr.columns ?? 80 });
    const sigint = stopOnSigint(io);
    const startedAt = performance.now();
    const result = await runSession(compiled, {
      specDir: dirname(file),
      resume: flags["resume"] === true,
      frozenCache,
      shouldStop: sigint.stop,
      onEvent: (e) => {
        const t = progress.render(e);
        if (t !== "") io.stderr(t);
      },
    }).finally(sigint.dispose);
    io.stderr(progress.close());
    io.stderr(renderAll(result.diagnostics, new Map([[file, text]]), { color: io.color }));
    const r = result.value;
    if (r === null || hasErrors(result.diagnostics))
      return result.diagnostics.some((d) => d.code === "ADAPT911" || d.code === "ADAPT912")
        ? EXIT.usage
        : EXIT.inputErrors;
    if (r.train.status === "interrupted") {
      io.stderr(
        `interrupted at step ${r.train.state.globalStep}; checkpoint ${r.train.checkpoint}\nresume with: adapt run ${positionals[0]} --resume\n`,
      );
      return EXIT.interrupted;
    }
    const artifact = await saveRunArtifact(compiled, r, io);
    const best = r.train.state.best;
    const metric = compiled.plan?.select?.metric ?? compiled.plan?.metrics[0] ?? "loss";
    io.stderr(
      renderSummary({
        best: best
          ? {
              metric: `${compiled.plan?.select?.split ?? "validation"}.${metric}`,
              value: best.value,
              epoch: best.epoch,
            }
          : null,
        test: r.test?.metrics ?? null,
        trainable: r.trainable,
        baseParams: compiled.model.params,
        artifactBytes: artifact?.bytes ?? null,
        baseBytes: artifact?.baseBytes ?? null,
        seconds: (performance.now() - startedAt) / 1000,
        steps: r.train.state.globalStep,
        trainSeconds: r.train.timing.trainSeconds,
        trainSteps: r.train.timing.steps,
        batch: compiled.plan?.batch ?? 1,
        evalSeconds: r.train.timing.evalSeconds,
        testSeconds: r.testSeconds,
        paths: {
          ...(artifact ? { artifact: artifact.path } : {}),
          log: `${r.outDir}/log.jsonl`,
          checkpoint: r.train.checkpoint,
        },
      }),
    );
    return artifact === null ? EXIT.usage : EXIT.ok;
  },
};
