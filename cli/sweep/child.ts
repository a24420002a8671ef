/**
 * One point of a sweep in its own process (`adapt sweep --child`, forked by the sweep): it receives the
 * point's single-run spec text over IPC, compiles it, and trains it exactly as `adapt run` does (the
 * same session, artifact and `run.json`), resuming from the point's checkpoint when there is one. It
 * stops at the next step with a checkpoint on Ctrl-C, on a stop message, or when the sweep dies. Its
 * validation metrics are those of the weights the artifact keeps (the best checkpoint, or with
 * `select last` the last evaluation).
 */
import { existsSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { diag, FILE_START, hasErrors, type Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import type { Io } from "../command.ts";
import { modelFileLoader, usedArtifactLoader } from "../files.ts";
import { saveRunArtifact, startBackend } from "../commands/run-support.ts";

/** What the sweep sends a point's process. */
export interface PointJob {
  readonly type: "job";
  /** The sweep spec's path: relative paths in the point's text start in its folder. */
  readonly file: string;
  readonly text: string;
  readonly backend: string;
  readonly model?: string | undefined;
  /** The sweep's base fingerprint: a worker whose model differs refuses the point (ADAPT363). */
  readonly fingerprint?: string | undefined;
}

/** What a point's process reports. */
export type ChildMessage =
  | { readonly type: "started"; readonly resumedAt: number; readonly totalSteps: number }
  | { readonly type: "interrupted"; readonly step: number }
  | { readonly type: "failed"; readonly diagnostics: readonly Diagnostic[] }
  | {
      readonly type: "done";
      readonly validation: Record<string, number> | null;
      readonly test: Record<string, number> | null;
      readonly epochs: number;
      readonly steps: number;
      readonly seconds: number;
      readonly backend: string;
      readonly trainable: number;
    };

function send(m: ChildMessage): Promise<void> {
  return new Promise((done) => (process.connected && process.send ? process.send(m, () => done()) : done()));
}

function nextJob(): Promise<PointJob> {
  return new Promise((done) => process.once("message", (m: PointJob) => done(m)));
}

/** Runs the point the sweep sends; the exit code says how it ended (0, 1, 130). */
export async function runPointChild(io: Io): Promise<number> {
  let stop = false;
  process.on("message", (m: { type?: string }) => void (m.type === "stop" && (stop = true)));
  process.on("disconnect", () => void (stop = true));
  process.on("SIGINT", () => void (stop = true));
  const job = await nextJob();
  const outcome = await runJob(job, io, () => stop);
  await send(outcome);
  if (process.connected) process.disconnect();
  return outcome.type === "done" ? 0 : outcome.type === "interrupted" ? 130 : 1;
}

async function runJob(job: PointJob, io: Io, shouldStop: () => boolean): Promise<ChildMessage> {
  const { compileText } = await import("../../compiler/compile.ts");
  const compiled = await compileText(job.text, job.file, {
    loader: modelFileLoader(dirname(job.file)),
    artifacts: usedArtifactLoader(dirname(job.file)),
    modelOverride: job.model,
    purpose: "run",
  });
  const plan = compiled.value.plan;
  if (plan === null || plan.plan === null || hasErrors(compiled.diagnostics))
    return { type: "failed", diagnostics: compiled.diagnostics };
  if (job.fingerprint !== undefined && plan.model.fingerprint !== job.fingerprint) {
    const message = `this worker's base model has fingerprint \`${plan.model.fingerprint}\`, the sweep's has \`${job.fingerprint}\``;
    return {
      type: "failed",
      diagnostics: [
        {
          ...diag("ADAPT363", FILE_START, message, {
            help: "give the worker the sweep's base model (`--model`, or the same path on a shared folder)",
          }),
          file: job.model ?? job.file,
        },
      ],
    };
  }
  const backend = await startBackend(job.backend, io);
  if (backend === null) return { type: "failed", diagnostics: [] };
  const { runSession } = await import("../../runtime/train/session.ts");
  const { specRelative } = await import("../../runtime/data/load.ts");
  const outDir = specRelative(dirname(job.file), plan.plan.output);
  const resume = existsSync(join(outDir, "checkpoint.ckpt"));
  if (!resume) for (const f of ["log.jsonl", "best.ckpt"]) rmSync(join(outDir, f), { force: true });
  const started = performance.now();
  let lastEval: Record<string, number> | null = null;
  const result = await runSession(plan, {
    specDir: dirname(job.file),
    resume,
    shouldStop,
    onEvent: (e) => {
      if (e.type === "start") void send({ type: "started", resumedAt: e.resumedAt, totalSteps: e.totalSteps });
      else if (e.type === "eval") lastEval = e.metrics;
    },
  });
  const r = result.value;
  if (r === null || hasErrors(result.diagnostics)) return { type: "failed", diagnostics: result.diagnostics };
  if (r.train.status === "interrupted") return { type: "interrupted", step: r.train.state.globalStep };
  const artifact = await saveRunArtifact(plan, r, io);
  if (artifact === null) return { type: "failed", diagnostics: [] };
  return {
    type: "done",
    validation: (plan.plan.select === null ? lastEval : null) ?? r.train.state.best?.metrics ?? null,
    test: r.test?.metrics ?? null,
    epochs: r.train.state.epoch,
    steps: r.train.state.globalStep,
    seconds: (performance.now() - started) / 1000,
    backend,
    trainable: r.trainable,
  };
}
