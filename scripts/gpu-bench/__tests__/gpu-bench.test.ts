/**
 * The GPU benchmark's arguments, its reading of each path's process, and its report: a path that did
 * not run prints "not measured" and its reason, never a number; ratios need both sides measured. The
 * one command (run.sh) is run with --dry-run and bad arguments; nothing is timed here.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { PATHS, formatReport, parseBenchArgs, parsePathOutput, type PathResult } from "../paths.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const RUN = join(ROOT, "scripts/gpu-bench/run.sh");

describe("parseBenchArgs", () => {
  it("defaults to every path, 10 steps, 600 s a path", () => {
    expect(parseBenchArgs([])).toEqual({ steps: 10, paths: PATHS, timeout: 600, dryRun: false });
  });

  it("reads steps, paths, one path, timeout, json and dry-run", () => {
    const o = parseBenchArgs([
      "--steps",
      "5",
      "--paths",
      "cuda,wasm",
      "--timeout",
      "30",
      "--json",
      "r.jsonl",
      "--dry-run",
    ]);
    expect(o).toEqual({ steps: 5, paths: ["cuda", "wasm"], timeout: 30, json: "r.jsonl", dryRun: true });
    expect(parseBenchArgs(["--path", "native"])).toMatchObject({ one: "native" });
  });

  it("refuses unknown paths, bad numbers and unknown options with the usage", () => {
    expect(parseBenchArgs(["--paths", "wasm,metal"])).toMatch(
      /^--paths takes some of wasm, native, webgpu, cuda, not `wasm,metal`\nusage:/,
    );
    expect(parseBenchArgs(["--path", "wasm,cuda"])).toMatch(/^--path takes one of/);
    expect(parseBenchArgs(["--steps", "0"])).toMatch(/^--steps needs a positive whole number, not `0`/);
    expect(parseBenchArgs(["--steps"])).toMatch(/^--steps needs a positive whole number/);
    expect(parseBenchArgs(["--gpu"])).toMatch(/^unknown option --gpu\nusage:/);
  });
});

describe("parsePathOutput", () => {
  const timing = {
    path: "wasm",
    detail: "WebAssembly with SIMD",
    steps: 3,
    seconds: 2,
    stepsPerSecond: 1.5,
    loss: 0.7,
  };

  it("takes the last JSON line of the path's process", () => {
    const out = `noise\n{"path":"wasm","notMeasured":"old"}\n${JSON.stringify(timing)}\n`;
    expect(parsePathOutput("wasm", 0, out, "")).toEqual(timing);
    expect(parsePathOutput("cuda", 0, '{"path":"cuda","notMeasured":"no driver"}', "")).toEqual({
      path: "cuda",
      notMeasured: "no driver",
    });
  });

  it("a process that printed no result is not measured, with its status and last error line", () => {
    expect(parsePathOutput("webgpu", 1, "", "Error: boom\n    at x\nSegmentation fault\n")).toEqual({
      path: "webgpu",
      notMeasured: "the benchmark process exited with status 1: Segmentation fault",
    });
    expect(parsePathOutput("cuda", null, "{not json", "")).toEqual({
      path: "cuda",
      notMeasured: "the benchmark process was killed (timeout?)",
    });
    expect(parsePathOutput("wasm", 0, JSON.stringify({ ...timing, stepsPerSecond: 0 }), "")).toMatchObject({
      notMeasured: "the benchmark process exited with status 0",
    });
  });
});

describe("formatReport", () => {
  const measured = (path: "wasm" | "native" | "webgpu" | "cuda", stepsPerSecond: number): PathResult => ({
    path,
    detail: `${path} detail`,
    steps: 10,
    seconds: 10 / stepsPerSecond,
    stepsPerSecond,
    loss: 0.5,
  });

  it("prints steps/s with ratios against wasm and native, and not measured for an absent path", () => {
    const lines = formatReport(
      [
        measured("wasm", 2),
        measured("native", 8),
        { path: "webgpu", notMeasured: "software adapter" },
        measured("cuda", 120),
      ],
      10,
    );
    expect(lines[0]).toContain("10 timed steps a path");
    expect(lines.slice(2)).toEqual([
      "wasm          2.00     1.00x      0.25x  wasm detail",
      "native        8.00     4.00x      1.00x  native detail",
      "webgpu    not measured: software adapter",
      "cuda           120     60.0x      15.0x  cuda detail",
    ]);
  });

  it("prints no ratio against a baseline that was not measured, and no number for an absent path", () => {
    const lines = formatReport(
      [
        { path: "native", notMeasured: "not built" },
        { path: "cuda", notMeasured: "no driver" },
      ],
      5,
    );
    expect(lines.slice(2)).toEqual(["native    not measured: not built", "cuda      not measured: no driver"]);
    expect(formatReport([measured("cuda", 50)], 5)[2]).toBe("cuda          50.0         -          -  cuda detail");
  });
});

describe("scripts/gpu-bench/run.sh", () => {
  const run = (...args: string[]) => spawnSync("bash", [RUN, ...args], { encoding: "utf8", cwd: ROOT });

  it("--dry-run prints the builds and one command a path, and runs nothing", () => {
    const r = run("--dry-run", "--steps", "3", "--paths", "wasm,native,cuda");
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe("build: scripts/native-backend");
    expect(lines.some((l) => l === "build: scripts/native-backend --gpu")).toBe(
      spawnSync("test", ["-r", "/proc/driver/nvidia/version"]).status === 0,
    );
    expect(lines.find((l) => l.startsWith("machine: "))).toMatch(/^machine: \S+, \d+ cores, node v\d+/);
    const paths = lines.filter((l) => /^(wasm|native|webgpu|cuda): /.test(l));
    expect(paths.map((l) => l.split(":")[0])).toEqual(["wasm", "native", "cuda"]);
    expect(paths[1]).toMatch(
      /^native: CUDA_VISIBLE_DEVICES=-1 \S*node --import tsx \S*scripts\/gpu-bench\/bench\.ts --path native --steps 3$/,
    );
    expect(paths[2]).toMatch(/bench\.ts --path cuda --steps 3$/);
  });

  it("refuses bad arguments with exit status 2 before building anything", () => {
    const bad = run("--paths", "bogus");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--paths takes some of wasm, native, webgpu, cuda, not `bogus`");
    expect(bad.stderr).not.toContain("building");
    const unknown = run("--frobnicate");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("unknown option --frobnicate");
    expect(unknown.stderr).toContain("Usage: scripts/gpu-bench/run.sh");
  });
});
