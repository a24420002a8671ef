/**
 * The compiled CLI loads the runtime only in the commands that train or evaluate: `--version`, `check`,
 * `explain`, `compile`, `inspect` and `fmt` never load tfjs, its backends or the tokenizer. Checked two
 * ways: the static import graph of dist/'s entry chunk and the commands' chunk (esbuild's metafile of the real build options),
 * and the modules a real `bin/adapt.js` process resolves (a Node resolve hook), with `eval` as the control
 * that the hook does see tfjs when it is loaded.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as esbuild from "esbuild";
// @ts-expect-error: a plain-JS build script, without type declarations
import { buildOptions, ROOT } from "../../scripts/build-cli.mjs";

const RUNTIME_PACKAGE = /node_modules\/(@tensorflow|@huggingface|webgpu)\//;
const SPEC = join(ROOT as string, "examples/sentiment/houlsby.adapt");
const MODEL = join(ROOT as string, "examples/sentiment/model/model.json");

/** The files and packages the entry chunk and the command registry's chunk reach through static imports alone. */
async function staticClosure(): Promise<{ inputs: Set<string>; packages: Set<string> }> {
  const outdir = mkdtempSync(join(tmpdir(), "adapt-graph-"));
  const result = await esbuild.build({ ...buildOptions(outdir), write: false, metafile: true, logLevel: "silent" });
  const outputs = result.metafile!.outputs;
  const key = (p: string): string =>
    Object.keys(outputs).find((k) => k.endsWith(p.replace(/^.*adapt-graph-[^/]+\//, "")) && !k.endsWith(".map"))!;
  const seen = new Set<string>();
  const inputs = new Set<string>();
  const packages = new Set<string>();
  const visit = (out: string): void => {
    if (seen.has(out)) return;
    seen.add(out);
    for (const i of Object.keys(outputs[out]!.inputs)) inputs.add(i);
    for (const imp of outputs[out]!.imports) {
      if (imp.kind !== "import-statement") continue;
      if (imp.external) packages.add(imp.path);
      else visit(key(imp.path));
    }
  };
  visit(Object.keys(outputs).find((k) => /(^|\/)main\.js$/.test(k))!);
  visit(Object.keys(outputs).find((k) => outputs[k]!.inputs["cli/commands/index.ts"] !== undefined)!);
  return { inputs, packages };
}

/** The module URLs `node bin/adapt.js ARGS` resolves, and its exit code. */
function loadsOf(args: string[]): { urls: string[]; code: number | null } {
  const log = join(mkdtempSync(join(tmpdir(), "adapt-loads-")), "loads.txt");
  const hook = join(ROOT as string, "cli/__tests__/fixtures/record-loads.mjs");
  const r = spawnSync(process.execPath, ["--import", hook, join(ROOT as string, "bin/adapt.js"), ...args], {
    cwd: ROOT as string,
    encoding: "utf8",
    env: { ...process.env, ADAPT_LOAD_LOG: log, NO_COLOR: "1" },
  });
  let text = "";
  try {
    text = readFileSync(log, "utf8");
  } catch {
    /* nothing resolved */
  }
  return { urls: text.split("\n").filter((l) => l !== ""), code: r.status };
}

describe("the compiled CLI's start-up", () => {
  it("reaches no runtime module and no runtime package through static imports", async () => {
    const { inputs, packages } = await staticClosure();
    // Runtime modules that import no tfjs: the file-access seam with its bounded reader (the CLI reads
    // specs through it), the atomic write, run.json's types and name, and the artifact reader.
    const light = new Set([
      "runtime/io/atomic.ts",
      "runtime/io/files.ts",
      "runtime/io/node-files.ts",
      "runtime/io/node-read.ts",
      "runtime/io/read-policy.ts",
      "runtime/io/read-file.ts",
      "runtime/artifact/run-info.ts",
      // The reader of the artifact folders that `use` statements name (check and compile read them).
      "runtime/artifact/read-used.ts",
      "runtime/artifact/files.ts",
      "runtime/artifact/validate.ts",
      "runtime/artifact/safetensors.ts",
    ]);
    expect([...inputs].filter((i) => i.startsWith("runtime/") && !light.has(i))).toEqual([]);
    expect([...packages].filter((p) => /^(@tensorflow|@huggingface|webgpu)/.test(p))).toEqual([]);
    expect(inputs.has("cli/commands/check.ts")).toBe(true);
  });

  it.each([
    [["--version"]],
    [["check", SPEC]],
    [["explain", SPEC]],
    [["compile", SPEC]],
    [["inspect", MODEL]],
    [["fmt", SPEC]],
  ])("`adapt %s` loads no tfjs, backend or tokenizer module", (args) => {
    const { urls, code } = loadsOf(args);
    expect(code).toBe(0);
    expect(urls.some((u) => u.includes("/dist/main.js"))).toBe(true);
    expect(urls.filter((u) => RUNTIME_PACKAGE.test(u))).toEqual([]);
  });

  it("sees tfjs when a command does load it (`eval`, the control)", () => {
    const { urls } = loadsOf(["eval", "no-such-artifact", "--data", "x.jsonl", "--backend", "cpu"]);
    expect(urls.some((u) => u.includes("node_modules/@tensorflow/tfjs"))).toBe(true);
  });
});
