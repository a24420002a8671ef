/**
 * The training panel: reads the workspace's files, starts the trainer worker (the first time: this is
 * when TensorFlow.js is fetched), draws the live chart, shows the backend chosen, every problem as the
 * CLI renders it, the test metrics, and the run's files as downloads.
 */
import { diag, FILE_START } from "../../compiler/diagnostics/diagnostic.ts";
import { renderAll } from "../../compiler/diagnostics/render.ts";
import { drawChart, emptyChart, type ChartData } from "./chart.ts";
import type { TrainReply, TrainRequest } from "./protocol.ts";
import type { Workspace } from "./workspace.ts";

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

let trainer: Worker | null = null;
let chart: ChartData = emptyChart();
let step = 0;
/** When each step's event arrived (ms, the page's clock), for the steps/s the page shows and the bench reads. */
let stepTimes: number[] = [];
const urls: string[] = [];

/** The files of a run's folder the page offers, in this order (checkpoints stay in the page). */
const OFFERED = ["adapter.safetensors", "adapter.json", "run.json", "log.jsonl"];

function setStatus(text: string, state: string): void {
  const s = $("status");
  s.textContent = text;
  s.dataset["state"] = state;
}

function addDiagnostics(rendered: string): void {
  const el = $("train-diagnostics");
  el.hidden = false;
  el.textContent += rendered;
}

function busy(on: boolean): void {
  $<HTMLButtonElement>("train").disabled = on;
  $<HTMLButtonElement>("stop").disabled = !on;
}

function offerDownloads(m: Extract<TrainReply, { type: "done" }>): void {
  for (const u of urls.splice(0)) URL.revokeObjectURL(u);
  const host = $("downloads");
  host.replaceChildren();
  const files = OFFERED.map((name) => m.outputs.find((o) => o.name === name)).filter((o) => o !== undefined);
  if (files.length === 0) return;
  const note = document.createElement("p");
  note.textContent = `Save these in ${m.outDir}/ beside your spec (as adapt run does), then: adapt eval ${m.outDir} --data ${m.testData ?? "YOUR_TEST_FILE"}`;
  host.append(note);
  for (const f of files) {
    const url = URL.createObjectURL(new Blob([f.bytes]));
    urls.push(url);
    const a = document.createElement("a");
    a.href = url;
    a.download = f.name;
    a.textContent = `${f.name} (${f.bytes.byteLength.toLocaleString("en-US")} bytes)`;
    host.append(a);
  }
}

function onReply(m: TrainReply): void {
  if (m.type === "phase") setStatus(m.text, "running");
  else if (m.type === "backend") {
    $("backend").textContent = `backend: ${m.name}`;
    $("backend").dataset["backend"] = m.name;
    $("backend-lines").replaceChildren(
      ...m.lines.map((l) => {
        const li = document.createElement("li");
        li.textContent = `${l.ok ? "✓" : "✗"} ${l.name}: ${l.detail}`;
        return li;
      }),
    );
  } else if (m.type === "diagnostics") addDiagnostics(m.rendered);
  else if (m.type === "event") {
    const e = m.event;
    if (e.type === "start") chart.totalSteps = e.totalSteps;
    if (e.type === "step") {
      step = e.globalStep;
      stepTimes.push(performance.now());
      $("status").dataset["stepTimes"] = stepTimes.map((t) => t.toFixed(1)).join(",");
      chart.losses.push({ step: e.globalStep, loss: e.loss });
      setStatus(
        `epoch ${e.epoch} · step ${e.globalStep}/${e.totalSteps} · loss ${e.loss.toFixed(4)} · ${e.examplesPerSec.toFixed(1)} examples/s`,
        "running",
      );
      $("status").dataset["losses"] = chart.losses.map((p) => p.loss).join(",");
    }
    if (e.type === "eval") {
      const [name, value] = Object.entries(e.metrics).find(([k]) => k === "accuracy") ??
        Object.entries(e.metrics)[0] ?? ["", NaN];
      if (Number.isFinite(value)) chart.evals.push({ step, value, label: `${e.split}.${name}` });
    }
    drawChart($<HTMLCanvasElement>("chart"), chart);
  } else if (m.type === "done") {
    busy(false);
    const test = m.test
      ? Object.entries(m.test)
          .map(([k, v]) => `${k} ${v.toFixed(4)}`)
          .join(" · ")
      : "";
    $("test").textContent = test ? `test: ${test}` : "";
    setStatus(
      m.status === "failed"
        ? "training failed: see the problems below"
        : `${m.status}: ${m.steps} steps in ${m.seconds.toFixed(1)} s (${(m.steps / Math.max(m.seconds, 1e-9)).toFixed(2)} steps/s)`,
      m.status,
    );
    $("status").dataset["stepsPerSec"] = String(m.steps / Math.max(m.seconds, 1e-9));
    offerDownloads(m);
  }
}

function failed(message: string): void {
  addDiagnostics(renderAll([diag("ADAPT993", FILE_START, message)], new Map()));
  busy(false);
  setStatus("training failed: see the problems below", "failed");
}

/** Trains the spec on the workspace's files with the chosen backend ("auto" for the best). */
export async function startTraining(ws: Workspace, text: string, file: string, backend: string): Promise<void> {
  busy(true);
  chart = emptyChart();
  stepTimes = [];
  drawChart($<HTMLCanvasElement>("chart"), chart);
  $("train-diagnostics").textContent = "";
  $("train-diagnostics").hidden = true;
  $("test").textContent = "";
  $("downloads").replaceChildren();
  const read = await ws.trainerFiles((done, total) => setStatus(`reading the files (${done}/${total})`, "running"));
  if (read.problems.length > 0) {
    addDiagnostics(renderAll(read.problems, new Map()));
    busy(false);
    setStatus("training failed: see the problems below", "failed");
    return;
  }
  setStatus("loading TensorFlow.js", "running");
  if (trainer === null) {
    trainer = new Worker(new URL("./train-worker.ts", import.meta.url), { type: "module" });
    trainer.onmessage = (e: MessageEvent<TrainReply>) => onReply(e.data);
    trainer.onerror = (e) => {
      failed(`the trainer failed: ${e.message || "the worker could not start"}`);
      trainer?.terminate();
      trainer = null;
    };
  }
  const request: TrainRequest = {
    type: "train",
    text,
    file,
    files: read.files,
    backend,
    wasmBase: new URL("wasm/", document.baseURI).href,
  };
  trainer.postMessage(
    request,
    read.files.map((f) => f.bytes),
  );
}

/** Asks the trainer to stop after the current step (it saves a checkpoint, as Ctrl-C does). */
export function stopTraining(): void {
  trainer?.postMessage({ type: "stop" } satisfies TrainRequest);
}
