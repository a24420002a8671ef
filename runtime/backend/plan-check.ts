/** What a backend cannot train, told before training starts (shared by `adapt run` and the playground). */
import { diag, FILE_START, type Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import type { CompiledPlan } from "../../compiler/ir/types.ts";

/**
 * ADAPT944 when the plan trains an embedding table on wasm: tfjs-backend-wasm 4.22 has no kernel for its
 * gradient (UnsortedSegmentSum), so the run would fail at its first step.
 */
export function backendCannotTrain(plan: CompiledPlan, backend: string, file: string): Diagnostic[] {
  if (backend !== "wasm") return [];
  const tables = plan.weights.filter((w) => w.trainable && /(^|\/)embeddings$/.test(w.name)).map((w) => `\`${w.name}\``);
  if (tables.length === 0) return [];
  const help = "freeze them (`freeze \"embeddings.**\"`), or use `--backend cpu` or the native backend (`scripts/native-backend`)";
  return [{ ...diag("ADAPT944", FILE_START, `the wasm backend cannot train embedding tables, and the plan trains ${tables.join(", ")}`, { help }), file }];
}
