import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { runSession } from "../../runtime/train/session.ts";
import { planFor, workspace } from "../../runtime/train/__tests__/fixtures/workspace.ts";
import { saveRunArtifact } from "../commands/run-support.ts";
import { main } from "../main.ts";
import type { Io } from "../command.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

function capture(cwd: string): Io & { out: string[]; err: string[] } {
  const out: string[] = [],
    err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), color: false, cwd };
}

describe("eval and predict on a run's artifact", () => {
  it("reproduce the run's test accuracy and predict labels by name", async () => {
    const dir = workspace();
    const plan = planFor(dir);
    const run = await runSession(
      { ...plan, spec: { ...plan.spec, file: join(dir, "x.adapt") } },
      { specDir: dir, resume: false },
    );
    const io = capture(dir);
    const art = await saveRunArtifact({ ...plan, spec: { ...plan.spec, file: join(dir, "x.adapt") } }, run.value!, io);
    expect(art!.bytes).toBeLessThan(art!.baseBytes!);
    const evalIo = capture(dir);
    const code = await main(["eval", art!.path, "--data", "test.jsonl", "--backend", "cpu", "--json"], evalIo);
    expect(code, evalIo.err.join("")).toBe(0);
    const result = JSON.parse(evalIo.out.join("")) as { metrics: Record<string, number> };
    expect(result.metrics["accuracy"]).toBe(run.value!.test!.metrics["accuracy"]);
    const predIo = capture(dir);
    expect(
      await main(
        ["predict", join(dir, "out"), "the movie was great good", "the plot was bad", "--backend", "cpu", "--json"],
        predIo,
      ),
    ).toBe(0);
    const rows = JSON.parse(predIo.out.join("")) as { label: string; probability: number }[];
    expect(rows.map((r) => r.label)).toEqual(["pos", "neg"]);
    expect(rows[0]!.probability).toBeGreaterThan(0.5);
  }, 60_000);

  it("eval names a missing artifact", async () => {
    const io = capture("/tmp");
    expect(await main(["eval", "/nonexistent/adapter.safetensors", "--data", "x.jsonl", "--backend", "cpu"], io)).toBe(
      1,
    );
    expect(io.err.join("")).toContain("ADAPT930");
  });
});
