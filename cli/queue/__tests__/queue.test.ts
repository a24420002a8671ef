import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { workspace } from "../../../runtime/train/__tests__/fixtures/workspace.ts";
import { Adapt, redisMissing, TestRedis } from "./redis.ts";
import { GRID_SPEC as SPEC } from "../../__tests__/fixtures/sweep-grid.ts";

const missing = redisMissing();
if (missing) console.warn(missing);

/**
 * The summary without wall times, each point's artifact bytes, and the result lines without times and
 * `testSelected` (the contract: the JSONL holds the value known when the line was written, which depends
 * on the order points finish in; `summary.json` is authoritative and compared whole).
 */
function outcome(dir: string) {
  const summary = JSON.parse(readFileSync(join(dir, "out", "summary.json"), "utf8")) as {
    configs: { seconds?: number }[];
  };
  for (const c of summary.configs) delete c.seconds;
  const points = readdirSync(join(dir, "out", "points")).sort();
  const artifacts = Object.fromEntries(
    points.map((p) => [p, readFileSync(join(dir, "out", "points", p, "adapter.safetensors")).toString("base64")]),
  );
  const lines = readFileSync(join(dir, "out", "results.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => {
      const {
        seconds: _s,
        testSelected: _t,
        ...rest
      } = JSON.parse(l) as { seconds: number; testSelected: boolean; id: string };
      return rest;
    });
  return {
    summary,
    artifacts,
    results: lines.sort((a, b) => a.id.localeCompare(b.id)),
    table: readFileSync(join(dir, "out", "table.md"), "utf8").replace(/\| [\d.]+ \|\n/g, "|\n"),
  };
}

let local: ReturnType<typeof outcome> | null = null;
/** The same sweep run locally (computed once). */
async function localOutcome() {
  if (local) return local;
  const dir = workspace();
  writeFileSync(join(dir, "spec.adapt"), SPEC);
  const a = new Adapt(dir, ["sweep", "spec.adapt", "--backend", "cpu"]);
  const end = await a.exited;
  expect(end.code, a.stderr).toBe(0);
  return (local = outcome(dir));
}

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function started(a: Adapt): Adapt {
  cleanup.push(async () => {
    if (a.proc.exitCode === null && a.proc.signalCode === null) a.proc.kill("SIGKILL");
    await a.exited;
  });
  return a;
}

async function redis(): Promise<TestRedis> {
  const r = await TestRedis.start();
  cleanup.push(() => r.stop());
  return r;
}

describe.skipIf(missing !== null)("adapt sweep --queue and adapt worker", () => {
  it("three workers, one killed with -9 mid-point: the stalled point resumes elsewhere and the results equal a local sweep's", async () => {
    const want = await localOutcome();
    const r = await redis();
    const dir = workspace();
    writeFileSync(join(dir, "spec.adapt"), SPEC);
    const submit = started(new Adapt(dir, ["sweep", "spec.adapt", "--backend", "cpu", "--queue", r.url]));
    expect(await submit.until(/queued 4 points/)).toBe(true);
    const workers = [0, 1, 2].map(() => started(new Adapt(dir, ["worker", "--queue", r.url, "--stall-seconds", "4"])));
    const victim = await Promise.race(workers.map((w) => w.until(/: start  /).then(() => w)));
    victim.proc.kill("SIGKILL");
    const end = await submit.exited;
    expect(end.code, submit.stderr).toBe(0);
    const all = workers.map((w) => w.stderr).join("");
    expect(all).toMatch(/resume default~\S+ at step [1-9]/);
    expect(submit.stderr).toMatch(/"type":"progress".*"done":4/);
    expect(submit.stdout).toContain("| rank | configuration |");
    expect(outcome(dir)).toEqual(want);

    rmSync(join(dir, "out", "results.jsonl"));
    for (const w of workers) w.proc.kill("SIGINT");
    for (const w of workers.filter((x) => x !== victim)) expect((await w.exited).code, w.stderr).toBe(130);
    const again = started(new Adapt(dir, ["sweep", "spec.adapt", "--backend", "cpu", "--queue", r.url]));
    expect((await again.exited).code, again.stderr).toBe(0);
    expect(again.stderr).toContain("queued 4 points");
    expect(outcome(dir)).toEqual(want);
  }, 600_000);

  it("Redis restarted mid-sweep loses nothing; Ctrl-C on a worker checkpoints, returns its point and exits 130", async () => {
    const want = await localOutcome();
    const r = await redis();
    const dir = workspace();
    writeFileSync(join(dir, "spec.adapt"), SPEC);
    const submit = started(new Adapt(dir, ["sweep", "spec.adapt", "--backend", "cpu", "--queue", r.url]));
    expect(await submit.until(/queued 4 points/)).toBe(true);
    const quitter = started(new Adapt(dir, ["worker", "--queue", r.url, "--stall-seconds", "4"]));
    expect(await quitter.until(/: start  /)).toBe(true);
    quitter.proc.kill("SIGINT");
    const q = await quitter.exited;
    expect(q.code, quitter.stderr).toBe(130);
    expect(quitter.stderr).toMatch(
      /stopped default~\S+ at step \d+ \(checkpoint saved\); the job goes back to the queue/,
    );
    const worker = started(new Adapt(dir, ["worker", "--queue", r.url, "--stall-seconds", "4"]));
    expect(await submit.until(/^done /m)).toBe(true);
    await r.restart();
    const end = await submit.exited;
    expect(end.code, submit.stderr).toBe(0);
    expect(worker.stderr).toMatch(/resume default~\S+ at step [1-9]/);
    expect(outcome(dir)).toEqual(want);
  }, 600_000);

  it("a worker with another base model refuses the point with ADAPT363 and stops; bad and unreachable queues are coded", async () => {
    const r = await redis();
    const dir = workspace();
    writeFileSync(join(dir, "spec.adapt"), SPEC);
    mkdirSync(join(dir, "other"));
    copyFileSync(join(dir, "weights.bin"), join(dir, "other", "weights.bin"));
    writeFileSync(
      join(dir, "other", "model.json"),
      readFileSync(join(dir, "model.json"), "utf8").replace('"epsilon":0.001', '"epsilon":0.002'),
    );
    const submit = started(
      new Adapt(dir, ["sweep", "spec.adapt", "--backend", "cpu", "--queue", r.url, "--only", "default~size=2~lr=0.1"]),
    );
    expect(await submit.until(/queued 1 point /)).toBe(true);
    const wrong = started(new Adapt(dir, ["worker", "--queue", r.url, "--model", "other/model.json"]));
    const w = await wrong.exited;
    expect(w.code, wrong.stderr).toBe(1);
    expect(wrong.stderr).toContain("error[ADAPT363]: this worker's base model has fingerprint");
    expect(wrong.stderr).toContain("refused the job (it went back to the queue)");
    expect(submit.proc.exitCode).toBe(null);
    submit.proc.kill("SIGINT");
    expect((await submit.exited).code).toBe(130);

    const bad = started(new Adapt(dir, ["worker", "--queue", "http://127.0.0.1:1"]));
    expect((await bad.exited).code).toBe(1);
    expect(bad.stderr).toContain("error[ADAPT360]");
    await r.stop();
    const gone = started(new Adapt(dir, ["sweep", "spec.adapt", "--queue", r.url]));
    expect((await gone.exited).code).toBe(1);
    expect(gone.stderr).toContain("error[ADAPT361]");
  }, 300_000);
});
