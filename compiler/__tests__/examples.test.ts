import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { compileText, type ModelLoader } from "../compile.ts";
import { validatePlan } from "../ir/schema.ts";

const repo = new URL("../../", import.meta.url).pathname;

/** The example specs of the repository: specs/examples/*.adapt and examples/<name>/*.adapt. */
function examples(): string[] {
  const out: string[] = [];
  const add = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const f of readdirSync(dir)) if (f.endsWith(".adapt")) out.push(join(dir, f));
  };
  add(join(repo, "specs/examples"));
  if (existsSync(join(repo, "examples")))
    for (const d of readdirSync(join(repo, "examples"))) add(join(repo, "examples", d));
  return out;
}

function loader(specFile: string): ModelLoader {
  return (path) => {
    try {
      return { ok: true, json: readFileSync(resolve(dirname(specFile), path), "utf8") };
    } catch (e) {
      return { ok: false, reason: String(e) };
    }
  };
}

describe("the repository's example specs", () => {
  const files = examples();
  it("there are examples to compile", () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    it(`${file.slice(repo.length)} compiles and its plan validates`, async () => {
      const r = await compileText(readFileSync(file, "utf8"), file, { loader: loader(file) });
      const errors = r.diagnostics.filter((d) => d.severity === "error");
      const uses = r.value.spec.statements.filter((s) => s.kind === "Use");
      if (uses.length > 0) {
        // A spec that composes trained artifacts: with no artifact reader (the compiler reads no files),
        // exactly its `use` statements fail, each with ADAPT930 at its path. cli/__tests__/examples.test.ts
        // checks it with the CLI's reader.
        expect(errors.map((d) => `${d.code}@${d.span.start.line}`)).toEqual(
          uses.map((s) => `ADAPT930@${s.span.start.line}`),
        );
        return;
      }
      expect(errors).toEqual([]);
      expect(validatePlan(r.value.plan)).toEqual([]);
    });
  }
});
