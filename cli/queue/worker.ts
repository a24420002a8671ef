/**
 * `adapt worker`: takes queued sweep points (BullMQ) and trains each in its own process, exactly as a
 * local sweep does (`forkPoint`), resuming from the point's checkpoint on the shared folder. A point
 * that fails with a diagnostic fails for good (no retries); a crashed process is retried. A worker that
 * cannot see the sweep folder (ADAPT362, ADAPT971) or has another base model (ADAPT363) returns the job
 * untouched and stops: it is misconfigured, and another worker should take the job. Ctrl-C (or SIGTERM)
 * stops the running points at their next step with a checkpoint, returns their jobs and exits 130 (143).
 */
import { hostname } from "node:os";
import { UnrecoverableError, WaitingError, Worker, type Job } from "bullmq";
import { FILE_START, type Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import { renderAll } from "../../compiler/diagnostics/render.ts";
import { EXIT, type Io } from "../command.ts";
import { checkWritable } from "../sweep/folder.ts";
import { forkPoint, type PointProcess } from "../sweep/runner.ts";
import {
  checkMarker,
  connection,
  QUEUE_NAME,
  type PointProgress,
  type QueueAddress,
  type QueuedPoint,
} from "./jobs.ts";
import { reachable } from "./reach.ts";

/** What `adapt worker` was given. */
export interface WorkerOptions {
  readonly address: QueueAddress;
  readonly url: string;
  readonly concurrency: number;
  /** Overrides the sweep's backend / base model path on this machine (the fingerprint must still match). */
  readonly backend: string | undefined;
  readonly model: string | undefined;
  /** Seconds without a lock renewal after which a worker's job counts as stalled and is taken over. */
  readonly stallSeconds: number;
  readonly io: Io;
}

/** Runs the worker until it is stopped or refuses a job; returns the exit code. */
export async function runWorker(o: WorkerOptions): Promise<number> {
  const name = `${hostname()}:${process.pid}`;
  const show = (ds: readonly Diagnostic[]) => o.io.stderr(renderAll(ds, new Map(), { color: o.io.color }));
  const unreachable = await reachable(o.address, o.url);
  if (unreachable) return (show([unreachable]), EXIT.inputErrors);
  const running = new Set<PointProcess>();
  let stopSignal: NodeJS.Signals | null = null;
  let refused: Diagnostic[] | null = null;
  let worker: Worker | null = null;
  const shutdown = () => void worker?.close().catch(() => undefined);

  const giveBack = async (job: Job, token: string | undefined): Promise<never> => {
    await job.moveToWait(token);
    throw new WaitingError();
  };
  const refuse = async (job: Job, token: string | undefined, ds: readonly Diagnostic[]): Promise<never> => {
    refused ??= [...ds];
    setImmediate(shutdown);
    return giveBack(job, token);
  };

  const processor = async (job: Job<QueuedPoint>, token?: string) => {
    const d = job.data;
    if (stopSignal !== null || refused !== null) return giveBack(job, token);
    const folder = checkMarker(d.out, d.marker) ?? checkWritable(d.out, d.file, FILE_START);
    if (folder) return refuse(job, token, [folder]);
    o.io.stderr(`${name}: take   ${d.pointId}\n`);
    const point = forkPoint(
      {
        type: "job",
        file: d.file,
        text: d.text,
        backend: o.backend ?? d.backend,
        model: o.model ?? d.model,
        fingerprint: d.fingerprint,
      },
      (m) => {
        o.io.stderr(
          `${name}: ${m.resumedAt > 0 ? `resume ${d.pointId} at step ${m.resumedAt}/${m.totalSteps}` : `start  ${d.pointId} (${m.totalSteps} steps)`}\n`,
        );
        const progress: PointProgress = {
          worker: name,
          step: m.resumedAt,
          totalSteps: m.totalSteps,
          resumedAt: m.resumedAt,
        };
        void job.updateProgress({ ...progress }).catch(() => undefined);
      },
    );
    running.add(point);
    if (stopSignal !== null) point.stop();
    const end = await point.ended.finally(() => running.delete(point));
    const m = end.message;
    if (m?.type === "done") {
      o.io.stderr(`${name}: done   ${d.pointId} (${m.seconds.toFixed(1)} s)\n`);
      return { ...m, worker: name };
    }
    if (m?.type === "interrupted") {
      o.io.stderr(
        `${name}: stopped ${d.pointId} at step ${m.step} (checkpoint saved); the job goes back to the queue\n`,
      );
      return giveBack(job, token);
    }
    if (m?.type === "failed" && m.diagnostics.some((x) => x.code === "ADAPT363"))
      return refuse(job, token, m.diagnostics);
    if (m?.type === "failed" && m.diagnostics.length > 0) {
      o.io.stderr(`${name}: failed ${d.pointId} with ${m.diagnostics.map((x) => x.code).join(", ")} (not retried)\n`);
      throw new UnrecoverableError(JSON.stringify({ diagnostics: m.diagnostics }));
    }
    const why = end.signal ? `was killed by ${end.signal}` : `exited with code ${end.code}`;
    o.io.stderr(`${name}: failed ${d.pointId}: its process ${why}\n`);
    throw new Error(`the point's process on ${name} ${why}\n${end.stderr.trim()}`);
  };

  worker = new Worker<QueuedPoint>(QUEUE_NAME, processor, {
    connection: connection(o.address),
    concurrency: o.concurrency,
    name,
    lockDuration: o.stallSeconds * 1000,
    stalledInterval: Math.max(1000, (o.stallSeconds * 1000) / 2),
    maxStalledCount: 5,
  });
  worker.on("error", (e) => o.io.stderr(`${name}: queue: ${e.message}\n`));
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopSignal !== null) process.exit(signal === "SIGINT" ? EXIT.interrupted : 143);
    stopSignal = signal;
    o.io.stderr(
      `\n${name}: ${signal}: the running points stop at their next step with a checkpoint and go back to the queue (again to quit now)\n`,
    );
    for (const p of running) p.stop();
    shutdown();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  o.io.stderr(`${name}: waiting for sweep points on ${o.url} (${o.concurrency} at a time)\n`);
  try {
    await new Promise<void>((done) => worker!.on("closed", () => done()));
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  if (refused !== null) {
    show(refused);
    o.io.stderr(`${name}: refused the job (it went back to the queue) and stopped\n`);
    return EXIT.inputErrors;
  }
  return stopSignal === "SIGTERM" ? 143 : EXIT.interrupted;
}
