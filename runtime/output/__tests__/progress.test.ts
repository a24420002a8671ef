import { describe, expect, it } from "vitest";
import { formatBytes, formatDuration, ProgressRenderer, renderSummary } from "../progress.ts";

const step = (globalStep: number) => ({
  type: "step" as const,
  epoch: 1,
  step: globalStep,
  globalStep,
  totalSteps: 100,
  loss: 0.5,
  lr: 1e-3,
  examplesPerSec: 12.5,
  etaSec: 75,
});

describe("progress", () => {
  it("redraws one line on a terminal with epoch, step, loss, examples/s and ETA", () => {
    const p = new ProgressRenderer({ tty: true, width: 120 });
    const t = p.render(step(50));
    expect(t.startsWith("\r[")).toBe(true);
    expect(t).toContain("epoch 1 step 50/100 loss 0.5000 12.5 ex/s ETA 1m15s");
    expect(p.render({ type: "eval", epoch: 1, split: "validation", metrics: { accuracy: 0.9 }, best: true })).toBe(
      "\nepoch 1 validation: accuracy 0.9000 (best)\n",
    );
  });
  it("prints plain lines, one per 5% of the steps, without escape codes", () => {
    const p = new ProgressRenderer({ tty: false });
    const lines = Array.from({ length: 100 }, (_, i) => p.render(step(i + 1))).filter((t) => t !== "");
    expect(lines.length).toBe(21);
    expect(lines.join("")).not.toMatch(/\x1b|\r/);
  });
  it("formats durations, sizes and the summary", () => {
    expect(formatDuration(3725)).toBe("1h02m");
    expect(formatDuration(9)).toBe("9s");
    expect(formatBytes(2048)).toBe("2.0 KB");
    const s = renderSummary({
      best: { metric: "validation.accuracy", value: 0.9, epoch: 2 },
      test: { accuracy: 0.88 },
      trainable: 1000,
      baseParams: 100000,
      artifactBytes: 4096,
      baseBytes: 409600,
      seconds: 10,
      steps: 20,
      paths: { artifact: "runs/x" },
    });
    expect(s).toContain("best validation.accuracy: 0.9000 (epoch 2)");
    expect(s).toContain("trained parameters: 1000 (1.00% of the base)");
    expect(s).toContain("artifact size: 4.0 KB (1.00% of the base model)");
    expect(s).toContain("artifact: runs/x");
  });
});
