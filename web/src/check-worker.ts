/**
 * The checker worker: runs the compiler on each version of the spec against the model files the page
 * holds, and answers with the diagnostics (as editor marks and as `adapt check` renders them), the model
 * tree with the sites and trained weights marked, and `adapt explain`'s report. Typing never waits on it.
 */
import { resolve } from "node:path";
import { compileText, type ModelLoader } from "../../compiler/compile.ts";
import { diag, FILE_START, type Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import { renderAll } from "../../compiler/diagnostics/render.ts";
import { explainText, totalsLine } from "../../compiler/lower/explain.ts";
import type { CompiledPlan } from "../../compiler/ir/types.ts";
import type { ModelManifest } from "../../compiler/model/types.ts";
import { WORKSPACE, type CheckRequest, type CheckResult, type EditorMark, type LayerView } from "./protocol.ts";

let texts: Readonly<Record<string, string>> = {};

/** Reads model files from what the page sent, with the CLI's reason when one is missing. */
const loader: ModelLoader = (path) => {
  const text = texts[resolve(WORKSPACE, path)];
  return text === undefined ? { ok: false, reason: "no such file or folder" } : { ok: true, json: text };
};

function marksOf(diagnostics: readonly Diagnostic[], text: string): EditorMark[] {
  return diagnostics.map((d) => {
    const from = Math.min(d.span.start.offset, text.length);
    const to = Math.min(Math.max(d.span.end.offset, from), text.length);
    const extra = [d.help ? `help: ${d.help}` : "", ...(d.notes ?? []).map((n) => `note: ${n}`)].filter(Boolean);
    return { from, to, severity: d.severity, message: [`${d.code}: ${d.message}`, ...extra].join("\n") };
  });
}

function layersOf(manifest: ModelManifest, plan: CompiledPlan | null): LayerView[] {
  return manifest.layers.map((l) => ({
    path: l.path,
    className: l.className,
    params: l.params,
    sites: (plan?.operations ?? [])
      .filter((op) => op.site === l.path)
      .map((op) => ({
        id: op.id,
        adapter: op.adapter,
        position: op.position,
        params: op.params,
        line: op.source.line,
      })),
    trained: (plan?.weights ?? [])
      .filter((w) => w.owner === "base" && w.layer === l.path && w.trainable)
      .map((w) => ({
        name: w.name,
        params: w.params,
        line: w.rule?.line ?? null,
      })),
  }));
}

async function check(id: number, text: string, file: string): Promise<CheckResult> {
  const result = await compileText(text, file, { loader, purpose: "check" });
  const { manifest, plan, modelPath } = result.value;
  const diagnostics = result.diagnostics;
  return {
    type: "checked",
    id,
    marks: marksOf(diagnostics, text),
    rendered: renderAll(diagnostics, new Map([[file, text]])),
    errors: diagnostics.filter((d) => d.severity === "error").length,
    layers: manifest ? layersOf(manifest, plan) : null,
    modelPath,
    totals: plan ? totalsLine(plan) : null,
    trainable: plan ? plan.totals.trainable : null,
    explain: plan ? explainText(plan) : null,
  };
}

function failure(id: number, e: unknown): CheckResult {
  const d = diag("ADAPT993", FILE_START, `the checker failed: ${e instanceof Error ? e.message : String(e)}`);
  return {
    type: "checked",
    id,
    marks: [],
    rendered: renderAll([d], new Map()),
    errors: 1,
    layers: null,
    modelPath: null,
    totals: null,
    trainable: null,
    explain: null,
  };
}

self.onmessage = async (e: MessageEvent<CheckRequest>) => {
  const m = e.data;
  if (m.type === "files") texts = m.files;
  else self.postMessage(await check(m.id, m.text, m.file).catch((err: unknown) => failure(m.id, err)));
};
