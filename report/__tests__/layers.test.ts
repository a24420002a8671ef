import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const REPO = new URL("../../", import.meta.url).pathname;

/** The specifiers a file imports statically (`import ... from "x"`, `export ... from "x"`), type-only imports left out. */
function staticImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^(?:import|export)\s+(?!type\s)[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1]!);
}

/** Every repository file reachable from `entry` by static imports. */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const s of staticImports(file)) if (s.startsWith(".")) visit(resolve(dirname(file), s));
  };
  visit(resolve(REPO, entry));
  return new Set([...seen].map((f) => relative(REPO, f)));
}

describe("the report layer", () => {
  const files = readdirSync(join(REPO, "report")).filter((f) => f.endsWith(".ts"));

  it("never imports the file system, tfjs, the runtime or the CLI", () => {
    for (const f of files) {
      const bad = staticImports(join(REPO, "report", f)).filter((s) =>
        /^node:|^fs$|tensorflow|\/runtime\/|\/cli\//.test(s),
      );
      expect(bad, f).toEqual([]);
    }
  });

  it("draws only in plot.ts, which imports vega lazily", () => {
    const drawing = files.filter((f) => /from "vega|import\("vega/.test(readFileSync(join(REPO, "report", f), "utf8")));
    expect(drawing).toEqual(["plot.ts"]);
    expect(staticImports(join(REPO, "report", "plot.ts")).filter((s) => s.startsWith("vega"))).toEqual([]);
  });

  it("is not loaded by `adapt check` or any other command until `adapt report` runs", () => {
    // main.ts imports the command registry lazily; every command module is reached from there.
    const loaded = [...reachable("cli/commands/index.ts")];
    expect(loaded).toContain("cli/commands/report.ts");
    expect(loaded.filter((f) => f.startsWith("report/") || f.includes("report-read"))).toEqual([]);
  });
});
