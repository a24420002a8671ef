/**
 * The trainer worker, loaded only when the user trains: it puts the workspace's files in memory, makes
 * them the runtime's file access, compiles the spec for a run, brings up the best backend, and runs the
 * runtime's own training session (runtime/train/session.ts), the one `adapt run` uses. Events stream to
 * the page; at the end the run's output folder (artifact, run.json, log, checkpoints) is sent back.
 */
import { relative, resolve } from "node:path";
import { compileText } from "../../compiler/compile.ts";
import { diag, FILE_START, hasErrors, type Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import { renderAll } from "../../compiler/diagnostics/render.ts";
import { writeRunFiles } from "../../runtime/artifact/run-files.ts";
import { useFiles } from "../../runtime/io/files.ts";
import { MemoryFiles } from "../../runtime/io/memory-files.ts";
import { runSession } from "../../runtime/train/session.ts";
import { selectBrowserBackend } from "./backend.ts";
import { WORKSPACE, type TrainReply, type TrainRequest } from "./protocol.ts";

let stopRequested = false;

const post = (m: TrainReply, transfer: Transferable[] = []): void => self.postMessage(m, { transfer });

/** Posts diagnostics rendered as the CLI renders them; true when any is an error. */
function report(diagnostics: readonly Diagnostic[], file: string, text: string): boolean {
  if (diagnostics.length === 0) return false;
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  post({ type: "diagnostics", rendered: renderAll(diagnostics, new Map([[file, text]])), errors });
  return hasErrors(diagnostics);
}

function fail(status: string): void {
  post({ type: "done", status, test: null, outDir: "", testData: null, outputs: [], seconds: 0, steps: 0 });
}

async function train(m: Extract<TrainRequest, { type: "train" }>): Promise<void> {
  stopRequested = false;
  const mem = new MemoryFiles();
  for (const f of m.files) mem.put(f.path, new Uint8Array(f.bytes));
  useFiles(mem);
  post({ type: "phase", text: "compiling the spec for a run" });
  const loader = (path: string) => {
    const p = resolve(WORKSPACE, path);
    return mem.readable(p)
      ? { ok: true as const, json: mem.readText(p) }
      : { ok: false as const, reason: "no such file or folder" };
  };
  const compiled = await compileText(m.text, m.file, { loader, purpose: "run" });
  const plan = compiled.value.plan;
  if (report(compiled.diagnostics, m.file, m.text) || plan === null) return fail("failed");
  if (plan.plan === null) {
    report(
      [{ ...diag("ADAPT307", FILE_START, "the spec has no `plan` block to train with"), file: m.file }],
      m.file,
      m.text,
    );
    return fail("failed");
  }
  post({ type: "phase", text: "starting the backend" });
  const backend = await selectBrowserBackend(m.backend, m.wasmBase);
  post({ type: "backend", name: backend.name ?? "none", lines: backend.lines });
  if (backend.name === null) {
    const why = backend.lines.map((l) => `${l.name}: ${l.detail}`).join("; ");
    report(
      [
        diag("ADAPT990", FILE_START, `no backend of this browser can train (${why})`, {
          help: "try another browser, or train with `adapt run`",
        }),
      ],
      m.file,
      m.text,
    );
    return fail("failed");
  }
  post({ type: "phase", text: "loading the data and the model" });
  const started = performance.now();
  const result = await runSession(plan, {
    specDir: WORKSPACE,
    resume: false,
    shouldStop: () => stopRequested,
    onEvent: (event) => post({ type: "event", event }),
  });
  report(result.diagnostics, m.file, m.text);
  const r = result.value;
  if (r === null || hasErrors(result.diagnostics)) return fail("failed");
  const seconds = (performance.now() - started) / 1000;
  if (r.train.status === "done") {
    const baseModel = relative(r.outDir, resolve(WORKSPACE, plan.model.path));
    const written = await writeRunFiles(plan, r, baseModel);
    if (report(written.diagnostics, m.file, m.text)) return fail("failed");
  }
  const outputs = mem
    .filesUnder(r.outDir)
    .map((p) => ({ name: p.slice(r.outDir.length + 1), bytes: mem.readBytes(p).slice().buffer }));
  r.model.dispose();
  post(
    {
      type: "done",
      status: r.train.status,
      test: r.test?.metrics ?? null,
      outDir: relative(WORKSPACE, r.outDir),
      testData: plan.plan.data.test,
      outputs,
      seconds,
      steps: r.train.state.globalStep,
    },
    outputs.map((o) => o.bytes),
  );
}

self.onmessage = (e: MessageEvent<TrainRequest>) => {
  const m = e.data;
  if (m.type === "stop") {
    stopRequested = true;
    return;
  }
  train(m).catch((err: unknown) => {
    const d = diag(
      "ADAPT993",
      FILE_START,
      `training stopped on an unexpected error: ${err instanceof Error ? err.message : String(err)}`,
    );
    report([d], m.file, m.text);
    fail("failed");
  });
};
