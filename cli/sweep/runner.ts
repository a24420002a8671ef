/**
 * Runs the points of a sweep: up to `jobs` at a time, each in its own process (`child.ts`), finished
 * points (with a result line) never again, a progress line per point, stage 2 (`seed ... for best`)
 * after stage 1, and `summary.json` and `table.md` at the end. Ctrl-C stops every running point at its
 * next step with a checkpoint; running the sweep again resumes them.
 */
import { fork, type ChildProcess } from "node:child_process";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { diag, FILE_START, type Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import { renderAll } from "../../compiler/diagnostics/render.ts";
import {
  compilePoint,
  mapPointDiagnostics,
  pointIdentity,
  type CompiledPoint,
} from "../../compiler/sweep/compile-sweep.ts";
import { withSeed } from "../../compiler/sweep/expand.ts";
import {
  isSelectedInVariant,
  summarize,
  summaryTable,
  type ResultLine,
  type SelectRule,
} from "../../compiler/sweep/summary.ts";
import type { SweepExpansion } from "../../compiler/sweep/types.ts";
import type { CompileTextOptions } from "../../compiler/compile.ts";
import { atomicWrite } from "../../runtime/io/atomic.ts";
import { EXIT, type Io } from "../command.ts";
import type { ChildMessage, PointJob } from "./child.ts";
import { appendResult, sweepPaths, writeLock, writeManifest, type Manifest, type ManifestPoint } from "./folder.ts";

const BIN = join(import.meta.dirname, "..", "..", "bin", "adapt.js");

/** What a sweep run needs. */
export interface SweepRun {
  readonly file: string;
  readonly text: string;
  readonly out: string;
  readonly backend: string;
  readonly model: string | undefined;
  readonly jobs: number;
  readonly io: Io;
  readonly expansion: SweepExpansion;
  readonly points: readonly CompiledPoint[];
  readonly select: SelectRule;
  readonly compileOptions: CompileTextOptions;
  manifest: Manifest;
  readonly results: ResultLine[];
}

/** The manifest entry of a compiled point. */
export function manifestPoint(p: CompiledPoint): ManifestPoint {
  return { ...pointIdentity(p), planHash: p.planHash };
}

/** Runs the sweep to its end (or Ctrl-C); returns the exit code. */
export async function runSweep(run: SweepRun): Promise<number> {
  const state = new RunState(run);
  const onSigint = () => state.interrupt();
  process.on("SIGINT", onSigint);
  try {
    await state.runAll(run.points);
    if (!state.stopping) await state.runAll(await stage2(run, state));
  } finally {
    process.off("SIGINT", onSigint);
  }
  return finishSweep(
    run,
    state.stopping,
    state.failures,
    "the running points saved checkpoints; run `adapt sweep` again to resume",
  );
}

/** Writes `summary.json` and `table.md`, prints the table, and says how the sweep ended; returns the exit code. */
export function finishSweep(run: SweepRun, stopping: boolean, failures: number, interrupted: string): number {
  const order = run.manifest.points.map((p) => p.id);
  const summary = summarize(run.results, run.select, order);
  const table = summaryTable(summary);
  const paths = sweepPaths(run.out);
  atomicWrite(paths.summary, `${JSON.stringify(summary, null, 1)}\n`);
  atomicWrite(paths.table, table);
  if (run.results.length > 0) run.io.stdout(table);
  if (stopping) {
    run.io.stderr(`interrupted: ${interrupted}\n`);
    return EXIT.interrupted;
  }
  if (failures > 0)
    run.io.stderr(`${failures} point${failures === 1 ? "" : "s"} failed; run \`adapt sweep\` again to retry them\n`);
  return failures > 0 ? EXIT.inputErrors : EXIT.ok;
}

/** The stage-2 points (run by a local sweep, or queued by `adapt sweep --queue`): the other seeds of each variant's selected configuration, compiled. */
export async function stage2(
  run: SweepRun,
  state: { fail(id: string, ds: readonly Diagnostic[]): void },
): Promise<CompiledPoint[]> {
  if (run.expansion.stage2Seeds.length === 0) return [];
  const summary = summarize(
    run.results,
    run.select,
    run.manifest.points.map((p) => p.id),
  );
  const out: CompiledPoint[] = [];
  for (const c of summary.configs.filter((x) => x.selectedInVariant)) {
    const first = run.points.find((p) => p.source.config === c.config);
    if (first === undefined) continue;
    for (let i = 1; i <= run.expansion.stage2Seeds.length; i++) {
      const r = await compilePoint(
        withSeed(run.text, run.expansion, first.source, i),
        run.text,
        run.file,
        run.compileOptions,
      );
      if (r.value === null) {
        state.fail(first.source.id, r.diagnostics);
        continue;
      }
      out.push(r.value);
    }
  }
  const known = new Set(run.manifest.points.map((p) => p.id));
  const added = out.filter((p) => !known.has(p.source.id)).map(manifestPoint);
  if (added.length > 0) {
    run.manifest = { ...run.manifest, points: [...run.manifest.points, ...added] };
    writeManifest(run.out, run.manifest);
  }
  return out;
}

/** How a point's process ended: its last message (null when it sent none), exit code or signal, stderr's tail. */
export interface PointEnd {
  readonly message: ChildMessage | null;
  readonly code: number | null;
  readonly signal: string | null;
  readonly stderr: string;
}

/** A running point's process (`adapt sweep --child`): `stop()` asks it to checkpoint and exit. */
export interface PointProcess {
  readonly child: ChildProcess;
  readonly stop: () => void;
  readonly ended: Promise<PointEnd>;
}

/**
 * The environment of a point's process: the parent's, without colour, and, when `jobs` points run at once
 * and the user has not set `ADAPT_WASM_THREADS`, the wasm threads each gets: the cores divided among
 * the points, at least 1. Two points of the bundled example on 2 cores, each on wasm, trained in 90.6 s
 * with 2 threads each and in 84.3 s with 1 thread each.
 */
export function pointEnv(env: NodeJS.ProcessEnv, jobs: number, cores = availableParallelism()): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, NO_COLOR: "1" };
  if (jobs > 1 && env["ADAPT_WASM_THREADS"] === undefined) {
    out["ADAPT_WASM_THREADS"] = String(Math.max(1, Math.floor(cores / jobs)));
  }
  return out;
}

/**
 * Forks the process that trains one point (the local sweep's and `adapt worker`'s only training path);
 * `jobs`: how many points run at once on this machine (see `pointEnv`).
 */
export function forkPoint(
  job: PointJob,
  onStarted: (m: ChildMessage & { type: "started" }) => void,
  jobs = 1,
): PointProcess {
  const child = fork(BIN, ["sweep", "--child"], {
    stdio: ["ignore", "ignore", "pipe", "ipc"],
    env: pointEnv(process.env, jobs),
  });
  let stderr = "";
  let message: ChildMessage | null = null;
  child.stderr?.on("data", (c: Buffer) => void (stderr = (stderr + c.toString()).slice(-4000)));
  child.on("message", (m: ChildMessage) => void (m.type === "started" ? onStarted(m) : (message = m)));
  child.send(job, () => undefined);
  const stop = () => void (child.connected && child.send({ type: "stop" }, () => undefined));
  const ended = new Promise<PointEnd>((done) => {
    let settled = false;
    const settle = (code: number | null, signal: NodeJS.Signals | null, why = ""): void => {
      if (settled) return;
      settled = true;
      done({ message, code, signal, stderr: why || stderr });
    };
    child.on("error", (e) => settle(null, null, `the process could not be started or reached: ${e.message}`));
    child.on("exit", (code, signal) => settle(code, signal));
  });
  return { child, stop, ended };
}

/** The `results.jsonl` line of a finished point; `order` is the manifest's point order. */
export function resultLine(
  p: CompiledPoint,
  m: ChildMessage & { type: "done" },
  results: readonly ResultLine[],
  select: SelectRule,
  order: readonly string[],
): ResultLine {
  const s = p.source;
  const t = p.plan.totals;
  const base = {
    ...pointIdentity(p),
    params: {
      base: t.base,
      added: t.added,
      head: t.head,
      trainable: t.trainable,
      trainablePercent: t.trainablePercent,
    },
    validation: m.validation,
    ...(m.test ? { test: m.test } : {}),
    testSelected: false,
    epochs: m.epochs,
    steps: m.steps,
    seconds: m.seconds,
    backend: m.backend,
    dir: `points/${s.id}`,
  };
  return { ...base, testSelected: isSelectedInVariant([...results, base], select, order, s.config) };
}

class RunState {
  stopping = false;
  failures = 0;
  private readonly children = new Set<ChildProcess>();

  constructor(private readonly run: SweepRun) {}

  interrupt(): void {
    if (this.stopping) process.exit(EXIT.interrupted);
    this.stopping = true;
    this.run.io.stderr(
      "\ninterrupt: the running points stop at their next step with a checkpoint (Ctrl-C again to quit now)\n",
    );
    for (const c of this.children) if (c.connected) c.send({ type: "stop" }, () => undefined);
  }

  fail(id: string, diagnostics: readonly Diagnostic[]): void {
    this.failures++;
    this.line(id, `failed ${id}`);
    this.run.io.stderr(renderAll(diagnostics, new Map([[this.run.file, this.run.text]]), { color: this.run.io.color }));
  }

  async runAll(points: readonly CompiledPoint[]): Promise<void> {
    const queue = points.filter((p) => !this.run.results.some((r) => r.id === p.source.id));
    const worker = async () => {
      for (let p = queue.shift(); p !== undefined && !this.stopping; p = queue.shift()) await this.runOne(p);
    };
    await Promise.all(Array.from({ length: Math.max(1, this.run.jobs) }, worker));
  }

  private line(id: string, text: string): void {
    const order = this.run.manifest.points.map((p) => p.id);
    const at = order.indexOf(id) + 1;
    this.run.io.stderr(`[${String(at).padStart(String(order.length).length)}/${order.length}] ${text}\n`);
  }

  private runOne(p: CompiledPoint): Promise<void> {
    const id = p.source.id;
    const job: PointJob = {
      type: "job",
      file: this.run.file,
      text: p.source.text,
      backend: this.run.backend,
      model: this.run.model,
    };
    const point = forkPoint(
      job,
      (m) =>
        this.line(
          id,
          m.resumedAt > 0
            ? `resume ${id} at step ${m.resumedAt}/${m.totalSteps}`
            : `start  ${id} (${m.totalSteps} steps)`,
        ),
      Math.min(this.run.jobs, this.run.manifest.points.length),
    );
    this.children.add(point.child);
    this.updateLock();
    if (this.stopping) point.stop();
    return point.ended.then((e) => {
      this.children.delete(point.child);
      this.updateLock();
      this.finish(p, e.message, e.code, e.signal, e.stderr);
    });
  }

  private finish(
    p: CompiledPoint,
    m: ChildMessage | null,
    code: number | null,
    signal: string | null,
    stderr: string,
  ): void {
    const id = p.source.id;
    if (m?.type === "done") {
      const line = this.resultLine(p, m);
      this.run.results.push(line);
      appendResult(this.run.out, line);
      const metric = this.run.select.metric;
      const v = line.validation?.[metric];
      const t = line.test?.[metric];
      const shown = [
        v !== undefined ? `${this.run.select.split}.${metric} ${v.toFixed(4)}` : "",
        t !== undefined ? `test.${metric} ${t.toFixed(4)}` : "",
      ].filter((x) => x !== "");
      this.line(id, `done   ${id}  ${shown.join("  ")}  ${line.seconds.toFixed(1)} s`);
    } else if (m?.type === "interrupted") this.line(id, `stopped ${id} at step ${m.step} (checkpoint saved)`);
    else if (m?.type === "failed" && (m.diagnostics.length > 0 || stderr.trim() === ""))
      this.fail(id, mapPointDiagnostics(p.source, this.run.text, this.run.file, m.diagnostics));
    else {
      const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const notes = stderr.trim() === "" ? [] : [`its last output: ${stderr.trim().split("\n").slice(-6).join(" | ")}`];
      this.fail(id, [
        {
          ...diag("ADAPT972", FILE_START, `the process of point \`${id}\` ${why} without a diagnostic`, { notes }),
          file: this.run.file,
        },
      ]);
    }
  }

  private resultLine(p: CompiledPoint, m: ChildMessage & { type: "done" }): ResultLine {
    return resultLine(
      p,
      m,
      this.run.results,
      this.run.select,
      this.run.manifest.points.map((x) => x.id),
    );
  }

  private updateLock(): void {
    writeLock(this.run.out, {
      pid: process.pid,
      children: [...this.children].map((c) => c.pid ?? 0).filter((x) => x > 0),
    });
  }
}
