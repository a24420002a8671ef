/**
 * The package as a user gets it: `npm pack`, then `npm install -g --prefix TMP` of that tarball (the
 * dependencies come from npm's cache or registry, the package itself only from the tarball), then the
 * installed `adapt` run from a folder outside the repository. It does not care how bin/adapt.js starts
 * the CLI (through tsx or compiled JavaScript): it only runs the command.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { name: string; version: string };
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

let tmp = "";
let prefix = "";
let installed = "";
let tarballFiles: string[] = [];

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const PATH = [join(prefix, "bin"), process.env["PATH"] ?? ""].join(delimiter);
  const env = { ...process.env, PATH, NO_COLOR: "1", npm_config_update_notifier: "false" };
  return spawnSync(command, args, { cwd, env, encoding: "utf8", timeout: 480_000, maxBuffer: 64 << 20 });
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  expect(r.error, what).toBeUndefined();
  expect(r.status, `${what}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "adapt-packed-"));
  prefix = join(tmp, "prefix");
  const packed = JSON.parse(ok(run(npm, ["pack", "--json", "--pack-destination", tmp], root), "npm pack")) as {
    filename: string;
    files: { path: string }[];
  }[];
  tarballFiles = packed[0]!.files.map((f) => f.path);
  const tarball = join(tmp, packed[0]!.filename);
  const flags = ["--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"];
  ok(run(npm, ["install", "-g", "--prefix", prefix, ...flags, tarball], tmp), "npm install -g --prefix");
  installed = join(prefix, process.platform === "win32" ? "" : "lib", "node_modules", pkg.name);
  mkdirSync(join(tmp, "elsewhere"));
}, 600_000);

afterAll(() => {
  if (tmp !== "") rmSync(tmp, { recursive: true, force: true });
});

describe("the packed package, installed with npm install -g --prefix", () => {
  it("ships what the CLI needs and nothing of tests, benches, scripts or runs", () => {
    for (const f of ["bin/adapt.js", "cli/main.ts", "LICENSE", "README.md", "CHANGELOG.md", "package.json"]) {
      expect(tarballFiles, f).toContain(f);
    }
    expect(tarballFiles).toContain("examples/sentiment/houlsby.adapt");
    expect(tarballFiles).toContain("dist/main.js");
    expect(tarballFiles).toContain("editors/web/adapt.hljs.js");
    const unwanted = tarballFiles.filter((f) => /(^|\/)(__tests__|bench|scripts|runs|node_modules)\//.test(f));
    expect(unwanted).toEqual([]);
    expect(readdirSync(installed)).not.toContain("bench");
  });

  it("puts `adapt` on the prefix's PATH and prints its version", () => {
    expect(existsSync(join(prefix, "bin", "adapt"))).toBe(true);
    expect(ok(run("adapt", ["--version"], join(tmp, "elsewhere")), "adapt --version").trim()).toBe(pkg.version);
  });

  it("checks the shipped example from outside the repository", () => {
    const spec = join(installed, "examples", "sentiment", "houlsby.adapt");
    const r = run("adapt", ["check", spec], join(tmp, "elsewhere"));
    ok(r, "adapt check");
    expect(r.stderr).toBe("");
  });

  it("explains the shipped example: every site and the exact totals", () => {
    const spec = join(installed, "examples", "sentiment", "houlsby.adapt");
    const out = ok(run("adapt", ["explain", spec, "--json"], join(tmp, "elsewhere")), "adapt explain");
    const explained = JSON.parse(out) as {
      sites: unknown[];
      totals: { added: number; head: number; trainable: number };
    };
    expect(explained.sites).toHaveLength(12);
    expect(explained.totals.added).toBe(12 * 12_688);
    expect(explained.totals.head).toBe(770);
  });

  it("reports a spec's error with its code, its place and exit code 1, without a stack trace", () => {
    writeFileSync(join(tmp, "elsewhere", "bad.adapt"), "adaptr x = lora()\n");
    const r = run("adapt", ["check", "bad.adapt"], join(tmp, "elsewhere"));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("ADAPT003");
    expect(r.stderr).toContain("bad.adapt:1:1");
    expect(r.stderr).not.toMatch(/\n\s+at .*\(/);
  });
});
