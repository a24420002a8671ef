/**
 * Loaded adapters (`use "PATH" as NAME`) at run time, read through `readUsedArtifact` (read-used.ts,
 * which the compile-time loader in `cli/files.ts` uses too). {@link usedWeights} takes
 * each loaded operation's weights from its artifact under the spec's names, after checking that the
 * artifact's base model is the one being adapted, values included (ADAPT932).
 */
import { join, resolve } from "node:path";
import { diag, FILE_START, type Diagnostic, type StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import type { CompiledPlan } from "../../compiler/ir/types.ts";
import { adapterLayerName } from "../../compiler/lower/accounting.ts";
import { checkBase } from "./artifact.ts";
import type { ReadArtifact } from "./files.ts";
import { readUsedArtifact } from "./read-used.ts";
import type { Fingerprint } from "./fingerprint.ts";
import type { F32Tensor } from "./safetensors.ts";

/**
 * The initial values of the loaded operations' weights of `plan` (by their names in the adapted model),
 * read from the artifact folders (relative to `specDir`); ADAPT932 when an artifact's base is not `base`,
 * ADAPT951 when an artifact lacks a weight or holds it in another shape.
 */
export function usedWeights(
  plan: Pick<CompiledPlan, "operations">,
  specDir: string,
  base: Fingerprint,
): StageResult<Map<string, F32Tensor> | null> {
  const out = new Map<string, F32Tensor>();
  const read = new Map<string, ReadArtifact | null>();
  const diagnostics: Diagnostic[] = [];
  for (const op of plan.operations) {
    if (op.origin === undefined) continue;
    const dir = resolve(specDir, op.origin.path);
    if (!read.has(dir)) {
      const r = readUsedArtifact(dir);
      diagnostics.push(...r.diagnostics);
      const wrongBase = r.value === null ? [] : checkBase(r.value.meta, base);
      diagnostics.push(...wrongBase.map((d) => ({ ...d, file: join(dir, "adapter.json") })));
      read.set(dir, wrongBase.length > 0 ? null : r.value);
    }
    const artifact = read.get(dir);
    if (artifact === null || artifact === undefined) continue;
    const from = adapterLayerName(op.origin.adapter, op.site);
    const to = adapterLayerName(op.adapter, op.site);
    for (const w of op.weights) {
      const t = artifact.tensors.get(from + w.name.slice(to.length));
      const problem =
        t === undefined
          ? "it is not in the artifact"
          : t.shape.join(",") !== w.shape.join(",")
            ? `the artifact holds it as [${t.shape.join(", ")}], the plan says [${w.shape.join(", ")}]`
            : null;
      if (problem === null) out.set(w.name, t!);
      else
        diagnostics.push({
          ...diag("ADAPT951", FILE_START, `weight \`${w.name}\` of \`${op.origin.use}\` cannot be loaded: ${problem}`),
          file: artifact.files.weights,
        });
    }
  }
  const failed = diagnostics.some((d) => d.severity === "error");
  return { value: failed ? null : out, diagnostics };
}
