import { spawn } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { workspace } from "../../runtime/train/__tests__/fixtures/workspace.ts";
import { runCli } from "./run-cli.ts";
import { GRID_SPEC as SPEC } from "./fixtures/sweep-grid.ts";

const bin = join(import.meta.dirname, "..", "..", "bin", "adapt.js");

/** Runs `adapt` in `cwd`; sends `signal` (SIGKILL) once stderr matches `killAt`. */
function adapt(
  cwd: string,
  args: string[],
  killAt?: RegExp,
  signal: NodeJS.Signals = "SIGKILL",
): Promise<{ code: number | null; signal: string | null; stderr: string; stdout: string }> {
  return new Promise((done, failed) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    let stderr = "",
      stdout = "",
      sent = false;
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
      if (killAt && !sent && killAt.test(stderr)) ((sent = true), child.kill(signal));
    });
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.on("error", failed);
    child.on("close", (code, signal) => done({ code, signal, stderr, stdout }));
  });
}

/** The summary without wall times, and each point's artifact bytes. */
function outcome(dir: string): { summary: unknown; artifacts: Record<string, string> } {
  const summary = JSON.parse(readFileSync(join(dir, "out", "summary.json"), "utf8")) as {
    configs: { seconds?: number }[];
  };
  for (const c of summary.configs) delete c.seconds;
  const points = readdirSync(join(dir, "out", "points")).sort();
  const artifacts = Object.fromEntries(
    points.map((p) => [p, readFileSync(join(dir, "out", "points", p, "adapter.safetensors")).toString("base64")]),
  );
  return { summary, artifacts };
}

describe("adapt sweep", () => {
  it("a 2 x 2 grid killed with -9 in the middle resumes to the same results as an uninterrupted --jobs 2 sweep", async () => {
    const whole = workspace();
    writeFileSync(join(whole, "spec.adapt"), SPEC);
    const a = await adapt(whole, ["sweep", "spec.adapt", "--backend", "cpu", "--jobs", "2"]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stderr.match(/\] done /g)?.length).toBe(4);
    expect(a.stdout).toContain("| rank | configuration |");
    const manifest = JSON.parse(readFileSync(join(whole, "out", "sweep.json"), "utf8")) as { points: { id: string }[] };
    expect(manifest.points.map((p) => p.id)).toEqual([
      "default~size=2~lr=0.1",
      "default~size=2~lr=0.02",
      "default~size=4~lr=0.1",
      "default~size=4~lr=0.02",
    ]);

    const cut = workspace();
    writeFileSync(join(cut, "spec.adapt"), SPEC);
    const killed = await adapt(cut, ["sweep", "spec.adapt", "--backend", "cpu"], /\[2\/4\] start/);
    expect(killed.signal).toBe("SIGKILL");
    const partial = readFileSync(join(cut, "out", "results.jsonl"), "utf8")
      .trim()
      .split("\n");
    expect(partial.length).toBe(1);
    const rest = await adapt(cut, ["sweep", "spec.adapt", "--backend", "cpu"]);
    expect(rest.code, rest.stderr).toBe(0);
    expect(rest.stderr).toContain("(1 finished)");
    expect(rest.stderr).toMatch(/resume default~size=2~lr=0\.02 at step [1-9]/);
    expect(rest.stderr).not.toMatch(/start {2}default~size=2~lr=0\.1 /);
    expect(
      readFileSync(join(cut, "out", "results.jsonl"), "utf8")
        .trim()
        .split("\n").length,
    ).toBe(4);
    expect(outcome(cut)).toEqual(outcome(whole));
    expect(rest.stdout.replace(/\| [\d.]+ \|\n/g, "|\n")).toBe(a.stdout.replace(/\| [\d.]+ \|\n/g, "|\n"));

    writeFileSync(join(cut, "spec.adapt"), SPEC.replace("batch      8", "batch      4"));
    const changed = await adapt(cut, ["sweep", "spec.adapt", "--backend", "cpu"]);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain("ADAPT970");
    expect(changed.stderr).toMatch(/line 9 of the spec was `batch +8`/);
  }, 600_000);

  it("stops its points with a checkpoint and exits 130 on Ctrl-C; the next sweep resumes them", async () => {
    const dir = workspace();
    writeFileSync(join(dir, "spec.adapt"), SPEC);
    const only = ["--only", "default~size=4~lr=0.1"];
    const cut = await adapt(dir, ["sweep", "spec.adapt", "--backend", "cpu", ...only], /\] start/, "SIGINT");
    expect(cut.code, cut.stderr).toBe(130);
    expect(cut.stderr).toMatch(/stopped default~size=4~lr=0\.1 at step [1-9] \(checkpoint saved\)/);
    expect(readdirSync(join(dir, "out", "points", "default~size=4~lr=0.1"))).toContain("checkpoint.ckpt");
    const rest = await adapt(dir, ["sweep", "spec.adapt", "--backend", "cpu", ...only]);
    expect(rest.code, rest.stderr).toBe(0);
    expect(rest.stderr).toMatch(/resume default~size=4~lr=0\.1 at step [1-9]/);
    expect(rest.stdout).toContain("`default~size=4~lr=0.1`");
  }, 300_000);

  it("lists every point in explain, and refuses a sweep spec in run and verify (ADAPT975) at its first alternative", async () => {
    const dir = workspace();
    writeFileSync(join(dir, "spec.adapt"), SPEC);
    const explained = await runCli(["explain", "spec.adapt", "--json"], dir);
    expect(explained.code, explained.err).toBe(0);
    const points = (JSON.parse(explained.out) as { points: { id: string; params: { trainable: number } }[] }).points;
    expect(points.map((p) => p.id)).toEqual([
      "default~size=2~lr=0.1",
      "default~size=2~lr=0.02",
      "default~size=4~lr=0.1",
      "default~size=4~lr=0.02",
    ]);
    expect(points[2]!.params.trainable).toBeGreaterThan(points[0]!.params.trainable);
    for (const command of ["run", "verify"]) {
      const r = await runCli([command, "spec.adapt"], dir);
      expect(r.code).toBe(1);
      expect(r.err).toContain("error[ADAPT975]");
      expect(r.err).toContain("spec.adapt:2:30");
    }
  }, 60_000);

  it("refuses a sweep folder that cannot be written (ADAPT971) at the plan's output", async () => {
    const dir = workspace();
    writeFileSync(join(dir, "spec.adapt"), SPEC.replace('output     "out"', 'output     "spec.adapt/out"'));
    const r = await adapt(dir, ["sweep", "spec.adapt", "--backend", "cpu"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("ADAPT971");
    expect(r.stderr).toContain("spec.adapt:11:14");
  }, 60_000);
});
