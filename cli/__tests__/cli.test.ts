import { describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "./run-cli.ts";

const repo = new URL("../../", import.meta.url).pathname;
const kitchen = join(repo, "specs/examples/kitchen-sink.adapt");

const run = (args: string[], cwd = repo): ReturnType<typeof runCli> => runCli(args, cwd);

function tempSpec(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "adapt-cli-"));
  const file = join(dir, "spec.adapt");
  writeFileSync(file, text);
  return file;
}

describe("adapt check", () => {
  it("prints nothing and exits 0 on a clean spec", async () => {
    expect(await run(["check", kitchen])).toEqual({ code: 0, out: "", err: "" });
  });

  it("prints three unrelated errors with file:line:col, code and caret, and exits 1", async () => {
    const file = tempSpec('adapter h = botleneck(size: 64)\ninsert g after "x"\nsize k = d / 0\n');
    const r = await run(["check", file]);
    expect(r.code).toBe(1);
    for (const [code, pos] of [
      ["ADAPT103", "1:13"],
      ["ADAPT101", "2:8"],
      ["ADAPT203", "3:14"],
    ]) {
      expect(r.err).toContain(`error[${code}]`);
      expect(r.err).toContain(`${file}:${pos}`);
    }
    expect(r.err).toMatch(/\n\d \| .*\n +\| +\^+/);
  });

  it("prints the contract's JSON with --format json", async () => {
    const file = tempSpec('adapter h = bottleneck(size: 64)\ninsert houlsby after "x"\n');
    const r = await run(["check", file, "--format", "json"]);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out) as Record<string, unknown>[];
    const e = json.find((x) => x["code"] === "ADAPT101")!;
    expect(Object.keys(e).slice(0, 8)).toEqual([
      "file",
      "line",
      "column",
      "endLine",
      "endColumn",
      "severity",
      "code",
      "message",
    ]);
    expect([e["line"], e["column"], e["endColumn"]]).toEqual([2, 8, 15]);
  });

  it("exits 2 on usage and I/O problems", async () => {
    expect((await run(["check"])).code).toBe(2);
    expect((await run(["check", "missing.adapt"])).err).toContain(
      "cannot read spec `missing.adapt`: no such file or folder",
    );
    expect((await run(["check", kitchen, "--format", "xml"])).code).toBe(2);
    const typo = await run(["check", kitchen, "--fromat", "json"]);
    expect([typo.code, typo.err.includes("did you mean `--format`?")]).toEqual([2, true]);
    const unknown = await run(["chekc"]);
    expect([unknown.code, unknown.err.includes("did you mean `check`?")]).toEqual([2, true]);
  });
});

describe("adapt fmt", () => {
  it("prints, checks and writes the canonical layout", async () => {
    const file = tempSpec('model   "m.json"   # base\n\n\ntrain  all\n');
    expect((await run(["fmt", file])).out).toBe('model "m.json" # base\n\ntrain all\n');
    expect((await run(["fmt", "--check", file])).code).toBe(1);
    expect((await run(["fmt", "--write", file])).code).toBe(0);
    expect(readFileSync(file, "utf8")).toBe('model "m.json" # base\n\ntrain all\n');
    expect((await run(["fmt", "--check", file])).code).toBe(0);
  });

  it("never rewrites a spec with syntax errors", async () => {
    const file = tempSpec('insert h aftr "x"\n');
    const r = await run(["fmt", "--write", file]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[ADAPT004]");
    expect(readFileSync(file, "utf8")).toBe('insert h aftr "x"\n');
  });
});

describe("the adapt binary", () => {
  it("answers --help and --version through bin/adapt.js with no build step", () => {
    const help = execFileSync(process.execPath, [join(repo, "bin/adapt.js"), "--help"], { encoding: "utf8" });
    expect(help).toContain("Usage: adapt <command>");
    expect(help).toContain("check");
    const pkg = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { version: string };
    expect(execFileSync(process.execPath, [join(repo, "bin/adapt.js"), "--version"], { encoding: "utf8" }).trim()).toBe(
      pkg.version,
    );
  });

  it("exits 1 from the real process on a bad spec, without a stack trace", () => {
    const dir = mkdtempSync(join(tmpdir(), "adapt-bin-"));
    copyFileSync(join(repo, "specs/diagnostics/ADAPT101.adapt"), join(dir, "bad.adapt"));
    const r = spawnSync(process.execPath, [join(repo, "bin/adapt.js"), "check", "bad.adapt"], {
      cwd: dir,
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("bad.adapt:3:8");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
