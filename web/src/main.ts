/**
 * The playground page: the spec editor with live diagnostics from the checker worker, the model tree
 * with the matched sites, `explain`'s totals, the user's files, and training in the trainer worker
 * (created, with TensorFlow.js, only when the user trains).
 */
import "./style.css";
import { diag, FILE_START, type Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import { renderAll } from "../../compiler/diagnostics/render.ts";
import { createEditor } from "./editor.ts";
import type { CheckResult } from "./protocol.ts";
import { startTraining, stopTraining } from "./train-panel.ts";
import { renderTree } from "./tree.ts";
import { addPicked, droppedFiles, pickedFiles, Workspace, type Picked } from "./workspace.ts";

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

const ws = new Workspace();
let specFile = "spec.adapt";
let latest = 0;
let last: CheckResult | null = null;
let cursorLine = 1;
let timer: ReturnType<typeof setTimeout> | undefined;

/** Shows diagnostics rendered as the CLI renders them in a panel (hidden when there are none). */
function showProblems(el: HTMLElement, diagnostics: readonly Diagnostic[]): void {
  el.hidden = diagnostics.length === 0;
  el.textContent = renderAll(diagnostics, new Map());
}

const checker = new Worker(new URL("./check-worker.ts", import.meta.url), { type: "module" });
checker.onmessage = (e: MessageEvent<CheckResult>) => {
  if (e.data.id === latest) show(e.data);
};
checker.onerror = (e) =>
  showProblems($("file-problems"), [diag("ADAPT993", FILE_START, `the checker failed: ${e.message}`)]);

const editor = createEditor(
  $("editor"),
  () => scheduleCheck(),
  (line) => {
    cursorLine = line;
    if (last?.layers) renderTree($("tree"), last.layers, cursorLine);
  },
);

function scheduleCheck(): void {
  clearTimeout(timer);
  $("check-state").textContent = "checking…";
  timer = setTimeout(
    () => checker.postMessage({ type: "check", id: ++latest, text: editor.text(), file: specFile }),
    120,
  );
}

function show(r: CheckResult): void {
  last = r;
  editor.showMarks(r.marks);
  const panel = $("diagnostics");
  panel.textContent = r.rendered || "no problems";
  panel.classList.toggle("ok", r.rendered === "");
  $("check-state").textContent = r.errors > 0 ? `${r.errors} error${r.errors === 1 ? "" : "s"}` : "checked";
  $("check-state").dataset["checked"] = String(r.id);
  $("totals").textContent =
    r.totals ?? (r.modelPath ? `model ${r.modelPath}: the spec does not compile yet` : "no model");
  $("totals").dataset["trainable"] = r.trainable === null ? "" : String(r.trainable);
  $("explain").textContent = r.explain ?? "";
  if (r.layers) renderTree($("tree"), r.layers, cursorLine);
  else $("tree").replaceChildren();
  $<HTMLButtonElement>("train").disabled = r.errors > 0 || r.totals === null;
}

async function refreshFiles(problems: Diagnostic[] = []): Promise<void> {
  const list = $("files");
  list.replaceChildren(
    ...ws.list().map((e) => {
      const li = document.createElement("li");
      li.textContent = `${e.path}${e.size === null ? "" : ` (${e.size.toLocaleString("en-US")} bytes)`}`;
      return li;
    }),
  );
  const sent = await ws.checkerFiles();
  checker.postMessage({ type: "files", files: sent.files });
  showProblems($("file-problems"), [...problems, ...sent.problems]);
  scheduleCheck();
}

/** Points the spec's `model "..."` at `path` when the spec's model is not among the workspace's files. */
function useModel(path: string): void {
  const text = editor.text();
  const m = /^(\s*model\s+)"([^"\n]*)"/m.exec(text);
  if (m === null || ws.list().some((e) => e.path === m[2])) return;
  const from = m.index + m[1]!.length;
  editor.view.dispatch({ changes: { from, to: from + m[2]!.length + 2, insert: JSON.stringify(path) } });
  $("status").textContent = `the spec's model now points at ${path}`;
}

async function addFiles(picked: Picked[], expectModel: boolean): Promise<void> {
  const spec = picked.find((p) => /\.(adapt|ya?ml)$/.test(p.path) && !p.path.includes("/"));
  if (spec) {
    specFile = spec.file.name;
    $("spec-name").textContent = specFile;
    editor.setText(await spec.file.text());
  }
  const rest = picked.filter((p) => p !== spec);
  const added = rest.length > 0 ? addPicked(ws, rest, expectModel) : { models: [], problems: [] };
  if (added.models[0] !== undefined) useModel(added.models[0]);
  await refreshFiles(added.problems);
}

async function loadExample(): Promise<void> {
  const base = "examples/sentiment/";
  try {
    const res = await fetch(`${base}files.json`);
    if (!res.ok) throw new Error(`the server answered ${res.status}`);
    const index = (await res.json()) as { spec: string; files: { path: string; size: number }[] };
    for (const f of index.files) ws.add(f.path, { url: base + f.path }, f.size);
    specFile = index.spec;
    $("spec-name").textContent = specFile;
    editor.setText(await (await fetch(base + index.spec)).text());
    await refreshFiles();
  } catch (e) {
    const d = diag(
      "ADAPT991",
      FILE_START,
      `the bundled example cannot be loaded: ${e instanceof Error ? e.message : String(e)}`,
    );
    await refreshFiles([{ ...d, file: `${base}files.json` }]);
  }
}

/** Adds what a picker chose, then empties it so that picking the same (changed) file again is seen. */
function onPick(id: string, expectModel: boolean): void {
  const input = $<HTMLInputElement>(id);
  input.addEventListener("change", () => {
    const picked = pickedFiles(input.files!);
    input.value = "";
    void addFiles(picked, expectModel);
  });
}

onPick("pick-model", true);
onPick("pick-data", false);
onPick("pick-spec", false);
$("reset-example").addEventListener("click", () => void loadExample());
document.addEventListener("dragover", (e) => e.preventDefault());
document.addEventListener("drop", (e) => {
  e.preventDefault();
  if (e.dataTransfer === null) return;
  void droppedFiles(e.dataTransfer.items).then((picked) =>
    addFiles(
      picked,
      picked.some((p) => p.path.includes("/")),
    ),
  );
});
$("train").addEventListener(
  "click",
  () => void startTraining(ws, editor.text(), specFile, $<HTMLSelectElement>("backend-choice").value),
);
$("stop").addEventListener("click", () => stopTraining());

void loadExample();
