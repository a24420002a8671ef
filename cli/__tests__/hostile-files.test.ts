/**
 * Hostile files and specs through the CLI (issue 13, classes 1, 2, 3, 6, 8, 10): each asserts the coded
 * diagnostic, the exit code, no stack trace, and (for the classes that could hang or exhaust memory) a
 * child process that finishes under a heap cap, a watchdog and a peak-memory bound.
 */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hasTrace, runBounded } from "./bounded-cli.ts";
import { runCli } from "./run-cli.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const TINY = join(ROOT, "compiler/__tests__/fixtures/tiny-bert");
const dir = mkdtempSync(join(tmpdir(), "adapt-hostile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MEMORY_BOUND_MIB = 1200;
const SPEC = 'adapter h = bottleneck(size: 4)\ninsert h after "encoder.layer.*.output.dense"\n';

/** A model folder `name` holding the tiny BERT, with its weights manifest paths replaced by `paths`. */
function modelWith(name: string, paths: string[] | null): string {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  const json = JSON.parse(readFileSync(join(TINY, "model.json"), "utf8"));
  if (paths !== null) json.weightsManifest[0].paths = paths;
  writeFileSync(join(folder, "model.json"), JSON.stringify(json));
  copyFileSync(join(TINY, "weights.bin"), join(folder, "weights.bin"));
  writeFileSync(join(folder, "spec.adapt"), `model "model.json"\n${SPEC}`);
  return folder;
}

function expectClean(r: { code: number | null; err: string; out: string }, code: number, diagnostic: string): void {
  expect(r.code, r.err).toBe(code);
  expect(r.err).toContain(diagnostic);
  expect(hasTrace(r.err + r.out), r.err).toBe(false);
}

describe("class 1: paths a model names stay inside its folder", () => {
  writeFileSync(join(dir, "outside.bin"), readFileSync(join(TINY, "weights.bin")));

  it.each([
    ["a relative path out of the folder", ["../outside.bin"]],
    ["an absolute path", [join(dir, "outside.bin")]],
  ])("refuses %s (ADAPT125, exit 2)", async (_what, paths) => {
    const folder = modelWith(`escape-${paths[0]!.length}`, paths);
    const r = await runCli(["verify", "spec.adapt"], folder);
    expectClean(r, 2, "error[ADAPT125]");
    expect(r.err).toContain("lies outside the folder");
  });

  it("refuses a weights file that is a symbolic link pointing out of the folder", async () => {
    const folder = modelWith("symlink", null);
    rmSync(join(folder, "weights.bin"));
    symlinkSync(join(dir, "outside.bin"), join(folder, "weights.bin"));
    const r = await runCli(["verify", "spec.adapt"], folder);
    expectClean(r, 2, "lies outside the folder");
  });
});

describe("class 2: reads are bounded and only of regular files", () => {
  it("refuses a device named as a weights file, in bounded time and memory", async () => {
    const folder = modelWith("device", ["/dev/zero"]);
    const r = await runBounded(["verify", "spec.adapt"], folder);
    expect(r.hung).toBe(false);
    expect(r.peakMiB).toBeLessThan(MEMORY_BOUND_MIB);
    expectClean(r, 2, "error[ADAPT125]");
  }, 90_000);

  it("refuses a spec that is a device, in bounded time and memory", async () => {
    const r = await runBounded(["check", "/dev/zero"], dir);
    expect(r.hung).toBe(false);
    expect(r.peakMiB).toBeLessThan(MEMORY_BOUND_MIB);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain("it is a device");
    expect(hasTrace(r.err)).toBe(false);
  }, 90_000);

  it("refuses a spec that is a named pipe, and one over 512 KiB, without opening or reading it", async () => {
    execFileSync("mkfifo", [join(dir, "pipe.adapt")]);
    writeFileSync(join(dir, "huge.adapt"), "");
    truncateSync(join(dir, "huge.adapt"), 512 * 1024 + 1);
    for (const [file, why] of [
      [join(dir, "pipe.adapt"), "named pipe"],
      [join(dir, "huge.adapt"), "more than the limit of 512 KiB"],
    ] as const) {
      const r = await runCli(["check", file], dir);
      expectClean(r, 2, why);
    }
  });

  it("refuses a model.json that is a folder (ADAPT125) and a data path that is a folder (ADAPT901)", async () => {
    mkdirSync(join(dir, "folder-model", "model.json"), { recursive: true });
    writeFileSync(join(dir, "folder-model", "spec.adapt"), `model "model.json"\n${SPEC}`);
    const r = await runCli(["check", "spec.adapt"], join(dir, "folder-model"));
    expectClean(r, 1, "error[ADAPT125]");
    expect(r.err).toContain("it is a folder");
    const { readSplit } = await import("../../runtime/data/load.ts");
    const split = await readSplit(dir, { text: "t", label: "l", textPair: null, format: "jsonl" });
    expect(split.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["ADAPT901", "the data file cannot be read: it is a folder"],
    ]);
  });
});

describe("class 3: selector patterns run in linear time", () => {
  it("matches a nested-quantifier regex and a glob with many wildcards against 4,000-character layer names quickly", async () => {
    const folder = join(dir, "long-names");
    mkdirSync(folder);
    const json = JSON.parse(readFileSync(join(TINY, "model.json"), "utf8"));
    const long = `${"a".repeat(4000)}!`;
    json.modelTopology.config.layers.push({
      class_name: "Dropout",
      name: long,
      config: { name: long, rate: 0.1 },
      inbound_nodes: [[[json.modelTopology.config.layers.at(-1).name, 0, 0, {}]]],
    });
    writeFileSync(join(folder, "model.json"), JSON.stringify(json));
    const spec = `model "model.json"\n${SPEC}train /(a+)+$/\ntrain /(a|aa)*b/\nfreeze "${"*a".repeat(60)}b"\nfreeze "${"**.".repeat(60)}zz"\n`;
    writeFileSync(join(folder, "redos.adapt"), spec);
    const r = await runBounded(["check", "redos.adapt"], folder, { watchdogMs: 60_000 });
    expect(r.hung).toBe(false);
    expect(r.code, r.err).toBe(1);
    expect(r.err.match(/error\[ADAPT120\]/g)?.length).toBe(4);
    expect(hasTrace(r.err)).toBe(false);
  }, 90_000);

  it("refuses lookarounds and backreferences at the regex (ADAPT012)", async () => {
    writeFileSync(
      join(dir, "look.adapt"),
      "adapter h = bottleneck(size: 4)\ninsert h after /(a)\\1/\ntrain /x(?<=y)/\n",
    );
    const r = await runCli(["check", "look.adapt", "--format", "json"], dir);
    const got = (JSON.parse(r.out) as { code: string; line: number; column: number }[]).map((d) => [
      d.code,
      d.line,
      d.column,
    ]);
    expect(got).toEqual([
      ["ADAPT012", 2, 16],
      ["ADAPT012", 3, 7],
    ]);
    expect(r.code).toBe(1);
  });
});

describe("class 6: deep nesting is a coded error, not a stack overflow", () => {
  it("reports ADAPT010 at the bracket that exceeds the limit, for 100,000 brackets", async () => {
    writeFileSync(
      join(dir, "deep.adapt"),
      `adapter h = bottleneck(size: ${"[".repeat(100_000)}4${"]".repeat(100_000)})\nhead classifier(classes: ${"(".repeat(50_000)}\n`,
    );
    const r = await runCli(["check", "deep.adapt", "--format", "json"], dir);
    const got = (JSON.parse(r.out) as { code: string; line: number; column: number }[]).map((d) => [
      d.code,
      d.line,
      d.column,
    ]);
    expect(got).toEqual([
      ["ADAPT010", 1, 61],
      ["ADAPT010", 2, 57],
    ]);
    expect(r.code).toBe(1);
    expect(hasTrace(r.err)).toBe(false);
  });

  it("reports ADAPT010 for a YAML spec nested 100,000 levels deep", async () => {
    writeFileSync(join(dir, "deep.yaml"), `adapters:\n  h: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`);
    const r = await runCli(["compile", "deep.yaml"], dir);
    expectClean(r, 1, "error[ADAPT010]");
  });
});

describe("class 11: long and garbled specs are checked in bounded time and memory", () => {
  it("reports a 100,000-element list's trailing comma, 100 of 100,000 stray characters and 10,000 bad statements", async () => {
    writeFileSync(
      join(dir, "garbled.adapt"),
      `adapter a = lora(rank: [${"1,".repeat(100_000)}])\nadapter b = lora(rank: ${"1+".repeat(100_000)}1)\n${"adapter\n".repeat(10_000)}`,
    );
    const r = await runBounded(["check", "garbled.adapt", "--format", "json"], dir);
    expect(r.hung).toBe(false);
    expect(r.peakMiB).toBeLessThan(MEMORY_BOUND_MIB);
    expect(r.code, r.err).toBe(1);
    expect(hasTrace(r.err)).toBe(false);
    const got = JSON.parse(r.out) as { code: string; line: number; message: string }[];
    expect(got[0]).toMatchObject({ code: "ADAPT004", line: 1, message: "unexpected `]`" });
    expect(got.filter((d) => d.code === "ADAPT001")).toHaveLength(100);
    expect(got.filter((d) => d.code === "ADAPT004")).toHaveLength(1 + 10_000);
  }, 90_000);
});

describe("class 8: sizes are bounded and integers exact", () => {
  it("refuses a size above 16·d (ADAPT218) and an integer above 2^53 (ADAPT011)", async () => {
    const folder = modelWith("sizes", null);
    writeFileSync(
      join(folder, "huge.adapt"),
      'model "model.json"\nadapter h = bottleneck(size: 2000000000)\ninsert h after "encoder.layer.*.output.dense"\n',
    );
    writeFileSync(
      join(folder, "inexact.adapt"),
      'model "model.json"\nadapter h = bottleneck(size: 18014398509481985)\ninsert h after "encoder.layer.*.output.dense"\n',
    );
    const huge = await runCli(["check", "huge.adapt"], folder);
    expectClean(huge, 1, "error[ADAPT218]");
    const inexact = await runCli(["check", "inexact.adapt"], folder);
    expectClean(inexact, 1, "error[ADAPT011]");
  });
});

describe("class 10: BOM and unknown layer classes", () => {
  it("accepts a spec that starts with a UTF-8 byte order mark", async () => {
    const folder = modelWith("bom", null);
    writeFileSync(join(folder, "bom.adapt"), `\uFEFFmodel "model.json"\n${SPEC}`);
    const r = await runCli(["check", "bom.adapt"], folder);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
  });

  it("refuses at check a model whose layer class tfjs does not know (ADAPT130)", async () => {
    const folder = modelWith("custom", null);
    const json = JSON.parse(readFileSync(join(folder, "model.json"), "utf8"));
    json.modelTopology.config.layers[3].class_name = "FancyDense";
    writeFileSync(join(folder, "model.json"), JSON.stringify(json));
    const r = await runCli(["check", "spec.adapt"], folder);
    expectClean(r, 1, "error[ADAPT130]");
  });
});
