import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkMarker, ensureMarker, jobId, parseQueueUrl } from "../jobs.ts";
import { progressTable, ProgressView, snapshot } from "../progress.ts";

describe("queue addresses, job ids and the folder marker", () => {
  it("reads redis://HOST:PORT[/DB] and refuses anything else with ADAPT360", () => {
    expect(parseQueueUrl("redis://10.0.0.5:6380/2").address).toEqual({ host: "10.0.0.5", port: 6380, db: 2 });
    expect(parseQueueUrl("redis://queue").address).toEqual({ host: "queue", port: 6379, db: 0 });
    for (const bad of ["http://h:1", "queue:6379", "redis://h:1/x", "redis://h:1/16"]) {
      const r = parseQueueUrl(bad);
      expect(r.address, bad).toBe(null);
      expect(r.problem?.code).toBe("ADAPT360");
    }
  });

  it("derives the same job id from the same spec, point and base model, and another id when any differs", () => {
    const id = jobId("spec1", "default~lr=0.1", "fp1");
    expect(jobId("spec1", "default~lr=0.1", "fp1")).toBe(id);
    expect(
      new Set([
        id,
        jobId("spec2", "default~lr=0.1", "fp1"),
        jobId("spec1", "default~lr=0.2", "fp1"),
        jobId("spec1", "default~lr=0.1", "fp2"),
      ]).size,
    ).toBe(4);
    expect(id).toMatch(/^point-[0-9a-f]{40}$/);
  });

  it("keeps the marker of a folder and refuses another token or a folder without one (ADAPT362)", () => {
    const dir = mkdtempSync(join(tmpdir(), "adapt-marker-"));
    expect(checkMarker(dir, "x")?.code).toBe("ADAPT362");
    const token = ensureMarker(dir);
    expect(ensureMarker(dir)).toBe(token);
    expect(checkMarker(dir, token)).toBe(null);
    expect(checkMarker(dir, "another")?.message).toContain("holds the marker of another sweep");
    rmSync(dir, { recursive: true });
  });
});

describe("progress of a queued sweep", () => {
  const t0 = 1_000_000;
  const points = [
    { id: "a", state: "done" as const, worker: "m1:1", startedAt: t0 },
    { id: "b", state: "done" as const, worker: "m1:1", startedAt: t0 + 30_000 },
    { id: "c", state: "running" as const, worker: "m2:7", startedAt: t0 + 10_000 },
    { id: "d", state: "failed" as const, worker: "m2:7", startedAt: t0 },
    { id: "e", state: "waiting" as const },
  ];

  it("counts states, measures each worker's points per minute and the ETA from their sum", () => {
    const s = snapshot(points, t0 + 60_000);
    expect([s.done, s.running, s.failed, s.waiting, s.total]).toEqual([2, 1, 1, 1, 5]);
    expect(s.workers.map((w) => [w.worker, w.done, w.running, w.pointsPerMinute])).toEqual([
      ["m1:1", 2, 0, 2],
      ["m2:7", 0, 1, 0],
    ]);
    expect(s.etaSeconds).toBe(60);
    expect(progressTable(s)).toContain("2 done, 1 running, 1 failed, 1 waiting (of 5); ETA 1 min 0 s");
    expect(
      snapshot(
        points.filter((p) => p.state !== "done"),
        t0,
      ).etaSeconds,
    ).toBe(null);
  });

  it("writes a JSON line per change off a terminal and redraws the table in place on one", () => {
    const lines: string[] = [];
    const view = new ProgressView((t) => lines.push(t), false);
    view.show(snapshot(points, t0 + 60_000));
    view.show(snapshot(points, t0 + 61_000));
    expect(lines.length).toBe(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ type: "progress", done: 2, etaSeconds: 60 });
    const drawn: string[] = [];
    const tty = new ProgressView((t) => drawn.push(t), true);
    tty.show(snapshot(points, t0 + 60_000));
    tty.show(snapshot(points, t0 + 61_000));
    expect(drawn[1]!.startsWith("\x1b[3A\x1b[J")).toBe(true);
  });
});
