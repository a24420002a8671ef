/**
 * Loaded adapters (`use "PATH" as NAME`) at run time, read through read-used.ts (which the compile-time
 * loader uses too). {@link usedWeights} takes each loaded operation's weights from its folder under the
 * spec's names: from an artifact after checking that its base model is the one being adapted, values
 * included (ADAPT932); from a peer's folder through the same conversion as at compile time
 * (interchange/peer-folder.ts: names, transposes, every tensor checked, ADAPT978), which records no base.
 */
import { basename, dirname, join, resolve } from "node:path";
import { diag, FILE_START, type Diagnostic, type StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import type { CompiledPlan, SurgeryOp } from "../../compiler/ir/types.ts";
import { adapterLayerName } from "../../compiler/lower/accounting.ts";
import { readManifest } from "../../compiler/model/manifest.ts";
import type { ModelManifest } from "../../compiler/model/types.ts";
import { baseFactsOf, peerPlan, peerWeightProblems, readPeerFolder } from "../interchange/peer-folder.ts";
import { policy, readText } from "../io/read-file.ts";
import { checkBase } from "./artifact.ts";
import { isPeerFolder, readUsedArtifact } from "./read-used.ts";
import type { Fingerprint } from "./fingerprint.ts";
import type { F32Tensor } from "./safetensors.ts";

/** A used folder's tensors under the names of its own plan, and the file they came from. */
interface UsedTensors {
  readonly tensors: ReadonlyMap<string, F32Tensor>;
  readonly file: string;
}

/** The base model being adapted: its fingerprint (for artifacts) and its model.json (for peers' folders). */
export interface UsedBase {
  readonly fingerprint: Fingerprint;
  readonly modelPath: string;
}

/** A weight of a loaded operation under its name in the folder's own plan. */
function originName(op: SurgeryOp, name: string): string {
  const from = op.origin?.adapter ?? op.adapter;
  return adapterLayerName(from, op.site) + name.slice(adapterLayerName(op.adapter, op.site).length);
}

function modelManifest(modelPath: string): StageResult<ModelManifest | null> {
  const text = readText(basename(modelPath), policy("modelJson", dirname(modelPath)));
  if (!text.ok) {
    const d = diag("ADAPT125", FILE_START, `the model cannot be read: ${text.reason}`);
    return { value: null, diagnostics: [{ ...d, file: modelPath }] };
  }
  return readManifest(text.text, modelPath);
}

function artifactTensors(dir: string, base: UsedBase): StageResult<UsedTensors | null> {
  const r = readUsedArtifact(dir);
  if (r.value === null) return { value: null, diagnostics: r.diagnostics };
  const wrongBase = checkBase(r.value.meta, base.fingerprint).map((d) => ({ ...d, file: join(dir, "adapter.json") }));
  if (wrongBase.length > 0) return { value: null, diagnostics: wrongBase };
  return { value: { tensors: r.value.tensors, file: r.value.files.weights }, diagnostics: r.diagnostics };
}

function peerTensors(dir: string, ops: readonly SurgeryOp[], manifest: ModelManifest): StageResult<UsedTensors | null> {
  const folder = readPeerFolder(dir);
  if (folder.value === null) return { value: null, diagnostics: folder.diagnostics };
  const planned = peerPlan(folder.value, baseFactsOf(manifest));
  if (planned.value === null) return { value: null, diagnostics: planned.diagnostics };
  const weights = ops.flatMap((op) => op.weights.map((w) => ({ name: originName(op, w.name), shape: w.shape })));
  const problems = peerWeightProblems(weights, planned.value, folder.value);
  if (problems.length > 0) return { value: null, diagnostics: problems };
  return { value: { tensors: planned.value.weights, file: folder.value.weightsFile }, diagnostics: [] };
}

/**
 * The initial values of the loaded operations' weights of `plan` (by their names in the adapted model),
 * read from the folders (relative to `specDir`); ADAPT932 when an artifact's base is not `base`,
 * ADAPT951 when an artifact lacks a weight or holds it in another shape, a peer's codes for its folder.
 */
export function usedWeights(
  plan: Pick<CompiledPlan, "operations">,
  specDir: string,
  base: UsedBase,
): StageResult<Map<string, F32Tensor> | null> {
  const out = new Map<string, F32Tensor>();
  const diagnostics: Diagnostic[] = [];
  const byDir = new Map<string, SurgeryOp[]>();
  for (const op of plan.operations)
    if (op.origin !== undefined) {
      const dir = resolve(specDir, op.origin.path);
      byDir.set(dir, [...(byDir.get(dir) ?? []), op]);
    }
  let manifest: StageResult<ModelManifest | null> | null = null;
  for (const [dir, ops] of byDir) {
    let read: StageResult<UsedTensors | null>;
    if (isPeerFolder(dir)) {
      manifest ??= modelManifest(base.modelPath);
      read =
        manifest.value === null
          ? { value: null, diagnostics: manifest.diagnostics }
          : peerTensors(dir, ops, manifest.value);
    } else read = artifactTensors(dir, base);
    diagnostics.push(...read.diagnostics);
    if (read.value === null) continue;
    const { tensors, file } = read.value;
    for (const op of ops)
      for (const w of op.weights) {
        const t = tensors.get(originName(op, w.name));
        const problem =
          t === undefined
            ? "it is not in the artifact"
            : t.shape.join(",") !== w.shape.join(",")
              ? `the artifact holds it as [${t.shape.join(", ")}], the plan says [${w.shape.join(", ")}]`
              : null;
        if (problem === null) out.set(w.name, t!);
        else
          diagnostics.push({
            ...diag(
              "ADAPT951",
              FILE_START,
              `weight \`${w.name}\` of \`${op.origin?.use ?? op.adapter}\` cannot be loaded: ${problem}`,
            ),
            file,
          });
      }
  }
  const failed = diagnostics.some((d) => d.severity === "error");
  return { value: failed ? null : out, diagnostics };
}
