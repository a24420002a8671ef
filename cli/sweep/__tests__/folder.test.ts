import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compareManifest, type FreshSweep } from "../compat.ts";
import {
  readResults,
  readSweepManifest,
  releaseLock,
  sweepPaths,
  takeLock,
  writeLock,
  type Manifest,
  type ManifestPoint,
} from "../folder.ts";

const point = (id: string, planHash = `h-${id}`, stage: 1 | 2 = 1, seed = 1): ManifestPoint => ({
  id,
  variant: "v",
  series: "v",
  member: null,
  config: id.replace(/~seed=\d+$/, ""),
  axes: {},
  seed,
  stage,
  planHash,
});

const manifest = (points: ManifestPoint[], specText = "a\nbatch 8\n"): Manifest => ({
  version: 1,
  spec: "../s.adapt",
  specHash: "x",
  specText,
  baseFingerprint: "base",
  select: { split: "validation", metric: "accuracy", direction: "max" },
  points,
});

function folder(started: string[]): string {
  const out = mkdtempSync(join(tmpdir(), "adapt-sweep-"));
  for (const id of started) mkdirSync(sweepPaths(out).point(id), { recursive: true });
  return out;
}

describe("resuming a sweep folder", () => {
  const fresh = (points: ManifestPoint[], specText = "a\nbatch 8\n"): FreshSweep => ({
    specText,
    baseFingerprint: "base",
    points,
    stage2Seeds: [2],
    allIds: new Set(points.map((p) => p.id)),
  });

  it("accepts more points (an extension) and unstarted points that changed", () => {
    const out = folder(["v~lr=1"]);
    const old = manifest([point("v~lr=1"), point("v~lr=2")]);
    expect(
      compareManifest(old, fresh([point("v~lr=1"), point("v~lr=2", "changed"), point("v~lr=3")]), [], out, "s.adapt"),
    ).toBeNull();
  });

  it("refuses a started point that would train differently, naming the point and the changed line (ADAPT970)", () => {
    const out = folder(["v~lr=1"]);
    const d = compareManifest(
      manifest([point("v~lr=1")]),
      fresh([point("v~lr=1", "other")], "a\nbatch 16\n"),
      [],
      out,
      "s.adapt",
    );
    expect(d?.code).toBe("ADAPT970");
    expect(d?.message).toContain("point `v~lr=1`");
    expect(d?.notes).toEqual(["line 2 of the spec was `batch 8` when the folder was made"]);
    expect([d?.span.start.line, d?.span.start.column]).toEqual([2, 1]);
  });

  it("refuses a started point the spec no longer has, and a stage-2 seed no longer asked for", () => {
    const out = folder(["v~lr=1", "v~lr=2~seed=3"]);
    expect(
      compareManifest(manifest([point("v~lr=1")]), fresh([point("v~lr=2")]), [], out, "s.adapt")?.message,
    ).toContain("no longer has");
    const withStage2 = manifest([point("v~lr=2~seed=1"), point("v~lr=2~seed=3", "h", 2, 3)]);
    expect(compareManifest(withStage2, fresh([point("v~lr=2~seed=1")]), [], out, "s.adapt")?.code).toBe("ADAPT970");
  });
});

describe("the sweep folder's files", () => {
  it("reads results, warning about a damaged line (ADAPT974), and a damaged manifest as an error", () => {
    const out = folder([]);
    writeFileSync(sweepPaths(out).results, '{"id":"a","config":"a"}\n{"id":\n{"id":"a","config":"a"}\n');
    const r = readResults(out);
    expect(r.results.map((x) => x.id)).toEqual(["a"]);
    expect(r.problems.map((d) => `${d.code} ${d.severity} ${d.span.start.line}`)).toEqual(["ADAPT974 warning 2"]);
    writeFileSync(sweepPaths(out).manifest, "{");
    expect(readSweepManifest(out).problem?.code).toBe("ADAPT974");
  });

  it("refuses a second sweep while the first is alive (ADAPT973), and takes over a dead one's lock", () => {
    const out = folder([]);
    writeLock(out, { pid: process.ppid, children: [] });
    expect(takeLock(out, "s.adapt").problem?.code).toBe("ADAPT973");
    writeLock(out, { pid: 2 ** 22 + 12345, children: [process.pid] });
    const taken = takeLock(out, "s.adapt");
    expect(taken.problem).toBeNull();
    expect(taken.previous).toEqual([process.pid]);
    releaseLock(out);
  });
});
