import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { workspace } from "../../runtime/train/__tests__/fixtures/workspace.ts";
import { parseTrainingLog } from "../../report/training-log.ts";
import { runCli } from "./run-cli.ts";

const SPEC = `model "model.json"
adapter a = bottleneck(size: 4, init: zeros)
insert a after "encoder.layer.*.output.dense" in layers 0..1
head classifier(classes: 2, pool: mean)
plan {
  data       train: "train.jsonl", validation: "dev.jsonl", text: "sentence", label: "label"
  optimizer  adamw(lr: 0.01)
  epochs     3
  batch      8
  seed       1
  output     "out"
}
`;

describe("the curves of a log that adapt run wrote", () => {
  it("are the last run's: 12 steps and 3 evaluations after a run and a run over it", async () => {
    const dir = workspace();
    writeFileSync(join(dir, "spec.adapt"), SPEC);
    for (let i = 0; i < 2; i++) {
      const r = await runCli(["run", "spec.adapt", "--backend", "cpu"], dir);
      expect(r.code, r.err).toBe(0);
    }
    const text = readFileSync(join(dir, "out", "log.jsonl"), "utf8");
    const events = text
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { event: string }).event);
    expect(events.filter((e) => e === "step")).toHaveLength(24);
    const { value, diagnostics } = parseTrainingLog(text, "log.jsonl");
    expect(diagnostics).toEqual([]);
    expect(value.loss.map((p) => p.step)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(value.loss.every((p) => Number.isFinite(p.loss) && p.loss > 0)).toBe(true);
    expect(value.evals.map((e) => [e.epoch, e.step, e.split])).toEqual([
      [1, 4, "validation"],
      [2, 8, "validation"],
      [3, 12, "validation"],
    ]);
    expect(Object.keys(value.evals[0]!.metrics)).toContain("accuracy");
    const steps = text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { event: string; loss?: number })
      .filter((e) => e.event === "step");
    expect(value.loss.map((p) => p.loss)).toEqual(steps.slice(12).map((e) => e.loss));
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
