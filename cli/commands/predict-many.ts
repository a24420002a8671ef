/**
 * `adapt predict A1 A2 ... -- TEXT...`: parallel inference with several task artifacts of one base
 * model. The artifacts' models are joined into one (runtime/train/parallel.ts): the base layers below
 * the first adapted or trained layer run once for all tasks, each task's upper layers and head on
 * them; the answer is, for each task, exactly what `adapt predict` gives with that artifact alone.
 * Artifacts of different base models are refused (ADAPT952).
 */
import { resolve } from "node:path";
import { diag, FILE_START } from "../../compiler/diagnostics/diagnostic.ts";
import type { Io } from "../command.ts";
import { EXIT } from "../command.ts";
import { restoreArtifact, show, type Restored } from "./run-support.ts";

/** One task's answers. */
export interface TaskAnswers {
  readonly artifact: string;
  readonly predictions: readonly unknown[];
}

/** Loads every artifact, checks they share a base, predicts all texts for all tasks; null after rendering why. */
export async function predictMany(
  artifacts: readonly string[],
  texts: readonly string[],
  model: string | undefined,
  io: Io,
): Promise<TaskAnswers[] | null> {
  const restored: Restored[] = [];
  for (const a of artifacts) {
    const r = await restoreArtifact(resolve(io.cwd, a), model, io);
    if (r === null) return null;
    restored.push(r);
  }
  const first = restored[0]!;
  const other = restored.findIndex(
    (r) => r.base.structure !== first.base.structure || r.base.values !== first.base.values,
  );
  if (other >= 0) {
    const msg = `\`${artifacts[other]}\` was trained on another base model than \`${artifacts[0]}\`, so they cannot share one forward pass`;
    show(io, [
      {
        ...diag("ADAPT952", FILE_START, msg, { help: "predict with each artifact on its own" }),
        file: artifacts[other],
      },
    ]);
    return null;
  }
  const { parallelModel } = await import("../../runtime/train/parallel.ts");
  const { predictEach } = await import("../../runtime/train/predict.ts");
  const { outputsProbabilities } = await import("../../runtime/train/feed.ts");
  const answers: TaskAnswers[] = artifacts.map((artifact) => ({ artifact, predictions: [] }));
  for (const maxLength of new Set(restored.map((r) => r.info.maxLength))) {
    const group = restored.flatMap((r, i) => (r.info.maxLength === maxLength ? [i] : []));
    const joined = parallelModel(group.map((i) => ({ model: restored[i]!.model, plan: restored[i]!.plan })));
    const outputs = group.map((i) => ({
      info: restored[i]!.info,
      probabilities: outputsProbabilities(restored[i]!.model),
    }));
    const rows = await predictEach(joined.model, first.encoder, outputs, texts);
    group.forEach((i, k) => (answers[i] = { artifact: artifacts[i]!, predictions: rows[k]! }));
  }
  return answers;
}

/** Renders the answers: JSON, or one block per task. */
export function printAnswers(answers: readonly TaskAnswers[], json: boolean, io: Io): number {
  if (json) io.stdout(`${JSON.stringify(answers, null, 2)}\n`);
  else
    for (const a of answers) {
      io.stdout(`${a.artifact}\n`);
      for (const p of a.predictions as {
        text: string;
        label: string | null;
        value: number | null;
        probability: number | null;
      }[])
        io.stdout(
          `  ${p.label ?? p.value?.toFixed(4)}${p.probability !== null ? ` (${p.probability.toFixed(3)})` : ""}\t${p.text}\n`,
        );
    }
  return EXIT.ok;
}
