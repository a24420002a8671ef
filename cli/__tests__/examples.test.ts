/**
 * The example specs that compose trained artifacts (`use "DIR" as NAME`), checked with the CLI's own
 * artifact reader: once the artifacts they name are trained (by the example's other specs), they check
 * clean and compile to a valid plan; until then exactly their `use` statements fail, each with ADAPT930.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { validatePlan } from "../../compiler/ir/schema.ts";
import type { Io } from "../command.ts";
import { main } from "../main.ts";

const repo = new URL("../../", import.meta.url).pathname;

/** examples/<name>/*.adapt files with at least one `use` line, with each such line's number and path. */
function composing(): { file: string; uses: { line: number; path: string }[] }[] {
  const root = join(repo, "examples");
  const out: { file: string; uses: { line: number; path: string }[] }[] = [];
  for (const d of existsSync(root) ? readdirSync(root) : []) {
    const dir = join(root, d);
    if (!statSync(dir).isDirectory()) continue;
    for (const f of readdirSync(dir).filter((x) => x.endsWith(".adapt"))) {
      const lines = readFileSync(join(dir, f), "utf8").split("\n");
      const uses = lines.flatMap((l, i) => {
        const m = /^use\s+"([^"]+)"/.exec(l);
        return m ? [{ line: i + 1, path: m[1]! }] : [];
      });
      if (uses.length > 0) out.push({ file: join(dir, f), uses });
    }
  }
  return out;
}

async function adapt(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [],
    err: string[] = [];
  const io: Io = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), color: false, cwd };
  const code = await main(args, io);
  return { code, out: out.join(""), err: err.join("") };
}

describe("the examples that compose trained artifacts", () => {
  const specs = composing();
  it("there is at least one (examples/multitask/fusion.adapt)", () => {
    expect(specs.map((s) => s.file.slice(repo.length))).toContain("examples/multitask/fusion.adapt");
  });
  for (const { file, uses } of specs) {
    it(`${file.slice(repo.length)} checks with the CLI's artifact reader`, async () => {
      const cwd = dirname(file);
      const r = await adapt(["check", file, "--format", "json"], cwd);
      const errors = (JSON.parse(r.out) as { severity: string; code: string; line: number }[]).filter(
        (d) => d.severity === "error",
      );
      const untrained = uses.filter((u) => !existsSync(join(cwd, u.path, "adapter.json")));
      if (untrained.length > 0) {
        expect(r.code).toBe(1);
        expect(errors.map((d) => `${d.code}@${d.line}`)).toEqual(untrained.map((u) => `ADAPT930@${u.line}`));
        return;
      }
      expect(errors).toEqual([]);
      expect(r.code).toBe(0);
      const c = await adapt(["compile", file], cwd);
      expect(c.code, c.err).toBe(0);
      expect(validatePlan(JSON.parse(c.out))).toEqual([]);
    });
  }
});
