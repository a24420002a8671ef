import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { parseTrainingLog, thinLoss } from "../training-log.ts";

const FIXTURE = new URL("./fixtures/sweeps/spam/points/adapters.m8~lr=0.0003~seed=1/log.jsonl", import.meta.url)
  .pathname;
const step = (s: number, loss: number): string =>
  JSON.stringify({ time: "t", event: "step", epoch: 1, step: s, loss, lr: 0.001, gradNorm: 1, batch: 16, length: 20 });
const evalAt = (epoch: number, accuracy: number): string =>
  JSON.stringify({
    time: "t",
    event: "eval",
    epoch,
    split: "validation",
    metrics: { accuracy, loss: 0.3 },
    best: true,
  });

describe("the training log", () => {
  it("keeps the resumed run's steps after an interrupted one (the fixture's first point was resumed at step 10)", () => {
    const text = readFileSync(FIXTURE, "utf8");
    expect(text).toContain('"event":"resume","globalStep":10');
    const { value, diagnostics } = parseTrainingLog(text, "log.jsonl");
    expect(diagnostics).toEqual([]);
    expect(value.loss.map((p) => p.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(value.evals.map((e) => [e.epoch, e.step, e.split])).toEqual([
      [1, 10, "validation"],
      [2, 20, "validation"],
    ]);
    const lines = text
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { event: string; step?: number; loss?: number });
    const resumedLoss = lines.slice(lines.findIndex((l) => l.event === "resume")).find((l) => l.step === 11)!.loss;
    expect(value.loss[10]!.loss).toBe(resumedLoss);
  });

  it("drops an evaluation logged after the checkpoint it resumes from, and keeps the last evaluation of an epoch", () => {
    const log = [
      step(1, 0.9),
      step(2, 0.8),
      evalAt(1, 0.7),
      step(3, 0.75),
      JSON.stringify({ event: "resume", globalStep: 2 }),
      evalAt(1, 0.71),
      step(3, 0.6),
      step(4, 0.5),
      evalAt(2, 0.8),
    ];
    const { value } = parseTrainingLog(log.join("\n"), "log.jsonl");
    expect(value.loss).toEqual([
      { step: 1, loss: 0.9 },
      { step: 2, loss: 0.8 },
      { step: 3, loss: 0.6 },
      { step: 4, loss: 0.5 },
    ]);
    expect(value.evals.map((e) => [e.epoch, e.step, e.metrics["accuracy"]])).toEqual([
      [1, 2, 0.71],
      [2, 4, 0.8],
    ]);
  });

  it("starts over where a run was started again without --resume", () => {
    const log = [step(1, 0.9), step(2, 0.8), evalAt(1, 0.7), step(1, 0.5), step(2, 0.4)];
    const { value } = parseTrainingLog(log.join("\n"), "log.jsonl");
    expect(value.loss).toEqual([
      { step: 1, loss: 0.5 },
      { step: 2, loss: 0.4 },
    ]);
    expect(value.evals).toEqual([]);
  });

  it("leaves out a line it cannot read with an ADAPT981 warning naming the line", () => {
    const { value, diagnostics } = parseTrainingLog(
      [step(1, 0.9), '{"event":"step","step":2,"lo', step(2, 0.8)].join("\n"),
      "p/log.jsonl",
    );
    expect(value.loss).toHaveLength(2);
    expect(diagnostics.map((d) => [d.code, d.severity, d.file, d.span.start.line, d.message])).toEqual([
      [
        "ADAPT981",
        "warning",
        "p/log.jsonl",
        2,
        "line 2 of the training log is not a log record; the curves leave it out",
      ],
    ]);
  });

  it("averages long runs in windows of equal size", () => {
    const loss = Array.from({ length: 10 }, (_, i) => ({ step: i + 1, loss: i }));
    expect(thinLoss(loss, 4)).toEqual([
      { step: 3, loss: 1 },
      { step: 6, loss: 4 },
      { step: 9, loss: 7 },
      { step: 10, loss: 9 },
    ]);
    expect(thinLoss(loss, 10)).toEqual(loss);
  });
});
