/**
 * `adapt sweep SPEC --queue URL`: enqueues every unfinished point of the sweep as a BullMQ job (the id
 * derives from the spec, the point and the base fingerprint, so enqueuing again adds nothing; a job that
 * failed before is retried, as a local sweep retries failed points), follows the queue until every point
 * is done or failed, appends each finished point's result line, queues stage 2 (`seed ... for best`)
 * after stage 1, and writes the same `summary.json` and `table.md` as a local sweep. Redis outages are
 * waited out; Ctrl-C stops following (the points stay queued; running the sweep again follows them).
 */
import { Queue, type Job } from "bullmq";
import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import { renderAll } from "../../compiler/diagnostics/render.ts";
import { mapPointDiagnostics, type CompiledPoint } from "../../compiler/sweep/compile-sweep.ts";
import { EXIT } from "../command.ts";
import type { ChildMessage } from "../sweep/child.ts";
import { appendResult } from "../sweep/folder.ts";
import { finishSweep, resultLine, stage2, type SweepRun } from "../sweep/runner.ts";
import {
  ATTEMPTS,
  connection,
  ensureMarker,
  jobId,
  QUEUE_NAME,
  type PointProgress,
  type QueueAddress,
  type QueuedPoint,
} from "./jobs.ts";
import { ProgressView, snapshot, type PointState } from "./progress.ts";
import { reachable } from "./reach.ts";

const POLL_MS = 1000;

/** Runs the sweep on the queue at `address`; returns the exit code. */
export async function runQueuedSweep(run: SweepRun, address: QueueAddress, url: string): Promise<number> {
  const show = (ds: readonly Diagnostic[]) =>
    run.io.stderr(renderAll(ds, new Map([[run.file, run.text]]), { color: run.io.color }));
  const unreachable = await reachable(address, url);
  if (unreachable) return (show([unreachable]), EXIT.inputErrors);
  const queue = new Queue<QueuedPoint>(QUEUE_NAME, { connection: connection(address) });
  let outage = false;
  queue.on(
    "error",
    (e) => void (outage || run.io.stderr(`queue: ${e.message} (waiting for it to come back)\n`), (outage = true)),
  );
  const follower = new Follower(run, queue, ensureMarker(run.out), show);
  const onSigint = () => follower.interrupt();
  process.on("SIGINT", onSigint);
  try {
    await follower.follow(run.points);
    if (!follower.stopping) await follower.follow(await stage2(run, { fail: (id, ds) => follower.fail(id, ds) }));
  } finally {
    process.off("SIGINT", onSigint);
    await queue.close().catch(() => undefined);
  }
  return finishSweep(
    run,
    follower.stopping,
    follower.failures,
    "the points stay queued and the workers go on; run the same `adapt sweep --queue` to follow them again",
  );
}

class Follower {
  stopping = false;
  failures = 0;
  private wake: (() => void) | null = null;
  private readonly view = new ProgressView((t) => this.run.io.stderr(t), Boolean(process.stderr.isTTY));

  constructor(
    private readonly run: SweepRun,
    private readonly queue: Queue<QueuedPoint>,
    private readonly marker: string,
    private readonly show: (ds: readonly Diagnostic[]) => void,
  ) {}

  interrupt(): void {
    if (this.stopping) process.exit(EXIT.interrupted);
    this.stopping = true;
    this.wake?.();
  }

  fail(id: string, ds: readonly Diagnostic[], extra = ""): void {
    this.failures++;
    this.view.release();
    this.run.io.stderr(`failed ${id}${extra}\n`);
    this.show(ds);
  }

  /** Enqueues `points` (those without a result) and waits until each is done or failed. */
  async follow(points: readonly CompiledPoint[]): Promise<void> {
    const pending = new Map(
      points.filter((p) => !this.run.results.some((r) => r.id === p.source.id)).map((p) => [this.id(p), p]),
    );
    if (pending.size === 0) return;
    await this.retrying(() => this.enqueue([...pending.entries()]));
    const states = new Map<string, PointState>();
    while (pending.size > 0 && !this.stopping) {
      for (const [id, p] of [...pending]) {
        const job = await this.retrying(() => this.queue.getJob(id));
        const state = job ? await this.retrying(() => job.getState()) : "unknown";
        // The job read above may predate its completion (its return value then is null): read it next poll.
        if (state === "completed" && job?.returnvalue != null) (this.finished(p, job), pending.delete(id));
        else if (state === "failed" && job) (this.failed(p, job), pending.delete(id));
        const progress = job?.progress as Partial<PointProgress> | undefined;
        const doneBy = (job?.returnvalue as { worker?: string } | null)?.worker;
        const s =
          state === "completed" ? "done" : state === "failed" ? "failed" : state === "active" ? "running" : "waiting";
        states.set(p.source.id, {
          id: p.source.id,
          state: s,
          worker: doneBy ?? progress?.worker,
          startedAt: job?.processedOn,
          finishedAt: job?.finishedOn,
        });
      }
      const finished = this.run.results.map((r) => ({ id: r.id, state: "done" as const }));
      this.view.show(snapshot([...finished.filter((f) => !states.has(f.id)), ...states.values()], Date.now()));
      if (pending.size > 0) await new Promise<void>((done) => ((this.wake = done), setTimeout(done, POLL_MS)));
    }
  }

  private id(p: CompiledPoint): string {
    return jobId(this.run.manifest.specHash, p.source.id, this.run.manifest.baseFingerprint);
  }

  private async enqueue(entries: readonly (readonly [string, CompiledPoint])[]): Promise<void> {
    const data = (p: CompiledPoint): QueuedPoint => ({
      pointId: p.source.id,
      file: this.run.file,
      text: p.source.text,
      out: this.run.out,
      marker: this.marker,
      backend: this.run.backend,
      model: this.run.model,
      fingerprint: this.run.manifest.baseFingerprint,
    });
    const opts = {
      attempts: ATTEMPTS,
      backoff: { type: "fixed", delay: 2000 },
      removeOnComplete: false,
      removeOnFail: false,
    };
    await this.queue.addBulk(
      entries.map(([jobId, p]) => ({ name: p.source.id, data: data(p), opts: { ...opts, jobId } })),
    );
    for (const [id] of entries) {
      const job = await this.queue.getJob(id);
      if (job && (await job.getState()) === "failed") await job.retry("failed");
    }
    this.run.io.stderr(`queued ${entries.length} point${entries.length === 1 ? "" : "s"} on ${QUEUE_NAME}\n`);
  }

  private finished(p: CompiledPoint, job: Job<QueuedPoint>): void {
    const m = job.returnvalue as ChildMessage & { type: "done"; worker: string };
    const line = resultLine(
      p,
      m,
      this.run.results,
      this.run.select,
      this.run.manifest.points.map((x) => x.id),
    );
    this.run.results.push(line);
    appendResult(this.run.out, line);
    this.view.release();
    this.run.io.stderr(`done   ${p.source.id} on ${m.worker} (${m.seconds.toFixed(1)} s)\n`);
  }

  private failed(p: CompiledPoint, job: Job<QueuedPoint>): void {
    let diagnostics: Diagnostic[] = [];
    try {
      diagnostics = (JSON.parse(job.failedReason) as { diagnostics: Diagnostic[] }).diagnostics;
    } catch {
      diagnostics = [];
    }
    const mapped = mapPointDiagnostics(p.source, this.run.text, this.run.file, diagnostics);
    this.fail(
      p.source.id,
      mapped,
      diagnostics.length > 0 ? "" : `: ${job.failedReason} (after ${job.attemptsMade} attempts)`,
    );
  }

  /** Runs a queue call, waiting out a Redis outage (the connection reconnects by itself). */
  private async retrying<T>(f: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await f();
      } catch (e) {
        if (this.stopping) throw e;
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    }
  }
}
