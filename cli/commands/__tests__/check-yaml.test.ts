/**
 * `adapt check` and `adapt compile` run the same pipeline, so they agree on every YAML spec in the
 * repository: check reports no error exactly when compile succeeds, with the same diagnostics.
 */
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../__tests__/run-cli.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;
const YAML_SPECS = execFileSync("git", ["ls-files", "*.yaml", "*.yml"], { cwd: ROOT, encoding: "utf8" })
  .split("\n")
  .filter((f) => f.length > 0 && !f.includes("node_modules") && !f.startsWith(".") && !f.includes("/.github/"));

describe("check and compile agree on YAML specs", () => {
  it("finds the repository's YAML specs", () => {
    expect(YAML_SPECS.length).toBeGreaterThan(0);
  });

  for (const spec of YAML_SPECS) {
    it(spec, async () => {
      const dir = join(ROOT, dirname(spec));
      const name = spec.slice(dirname(spec).length + 1);
      const check = await runCli(["check", name, "--format", "json"], dir);
      const compile = await runCli(["compile", name], dir);
      expect(check.code).toBe(compile.code);
      const checked = JSON.parse(check.out) as { severity: string }[];
      expect(checked.some((d) => d.severity === "error")).toBe(compile.code !== 0);
    });
  }
});
