import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "./run-cli.ts";

const FIXTURES = new URL("../../report/__tests__/fixtures/sweeps/", import.meta.url).pathname;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "adapt-report-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh copy of the fixture sweeps under `name`, for a test that breaks them. */
function copy(name: string): string {
  const to = join(dir, name);
  cpSync(FIXTURES, to, { recursive: true });
  return to;
}

describe("adapt report", () => {
  it("writes report.md and two figures per task, byte-identical when run again", async () => {
    const first = await runCli(["report", FIXTURES, "-o", "a"], dir);
    expect([first.code, first.err]).toEqual([0, "wrote a/report.md and 5 figures (2 tasks)\n"]);
    const second = await runCli(["report", FIXTURES, "-o", "b"], dir);
    expect(second.code).toBe(0);
    const files = readdirSync(join(dir, "a")).sort();
    expect(files).toEqual([
      "report.md",
      "sentiment.curves.svg",
      "sentiment.tradeoff.svg",
      "spam.curves.svg",
      "spam.tradeoff.svg",
      "tradeoff.svg",
    ]);
    for (const f of files)
      expect(readFileSync(join(dir, "b", f), "utf8"), f).toBe(readFileSync(join(dir, "a", f), "utf8"));
    const md = readFileSync(join(dir, "a", "report.md"), "utf8");
    expect(md).toContain("| adapters | 2 | 94.3 | 2.66% | -0.6 |");
    expect(md).not.toMatch(/20\d\d-\d\d-\d\d/);
  });

  it("takes one sweep folder as one task named after it, and writes into it by default", async () => {
    const root = copy("single");
    const r = await runCli(["report", "single/spam"], dir);
    expect(r.code).toBe(0);
    expect(
      readdirSync(join(root, "spam"))
        .filter((f) => f.endsWith(".svg") || f === "report.md")
        .sort(),
    ).toEqual(["report.md", "spam.curves.svg", "spam.tradeoff.svg", "tradeoff.svg"]);
    expect(readFileSync(join(root, "spam", "report.md"), "utf8")).toContain("1 task: spam.");
  });

  it("refuses a folder that holds no sweep (ADAPT980), and a missing folder is a usage error", async () => {
    const r = await runCli(["report", "."], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[ADAPT980]: `.` has no sweep.json, and neither has any folder in it");
    const missing = await runCli(["report", "nowhere"], dir);
    expect([missing.code, missing.err.split("\n")[0]]).toEqual([
      2,
      "adapt report: cannot read folder `nowhere`: no such file or folder",
    ]);
  });

  it("names the line of a truncated results line (ADAPT981) and writes nothing", async () => {
    const root = copy("truncated");
    const results = join(root, "spam", "results.jsonl");
    const text = readFileSync(results, "utf8");
    writeFileSync(results, text.slice(0, text.length - 120));
    const r = await runCli(["report", "truncated", "-o", "truncated-out"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^error\[ADAPT981\]: line 20 of the results is not valid JSON: .*\n  --> truncated\/spam\/results\.jsonl:20:335\n/,
    );
    expect(r.err).toContain("= help: remove the broken line and run `adapt sweep SPEC` again");
    expect(existsSync(join(dir, "truncated-out"))).toBe(false);
  });

  it("refuses a sweep without a summary (ADAPT982)", async () => {
    const root = copy("unfinished");
    rmSync(join(root, "sentiment", "summary.json"));
    const r = await runCli(["report", "unfinished"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      "error[ADAPT982]: the sweep has no summary: no such file or folder\n --> unfinished/sentiment/summary.json\n",
    );
    expect(r.err).toContain("the sweep has not finished");
  });

  it("refuses results of another spec appended to a sweep's (ADAPT983)", async () => {
    const root = copy("mixed");
    const other = readFileSync(join(root, "sentiment", "results.jsonl"), "utf8")
      .split("\n")[0]!
      .replaceAll("adapters.m8", "adapters.m16");
    writeFileSync(
      join(root, "spam", "results.jsonl"),
      `${readFileSync(join(root, "spam", "results.jsonl"), "utf8")}${other}\n`,
    );
    const r = await runCli(["report", "mixed"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      "error[ADAPT983]: point `adapters.m16~lr=0.0003~seed=1` on line 21 of the results is not in the sweep's manifest\n  --> mixed/spam/results.jsonl:21:2",
    );
  });

  it("draws the curves without a run whose log is missing, with an ADAPT981 warning", async () => {
    const root = copy("nolog");
    rmSync(join(root, "spam", "points", "full~lr=0.00005~seed=2", "log.jsonl"));
    const r = await runCli(["report", "nolog"], dir);
    expect(r.code).toBe(0);
    expect(r.err).toContain(
      "warning[ADAPT981]: the training log of point `full~lr=0.00005~seed=2` cannot be read: no such file or folder; its curves are left out",
    );
    const svg = readFileSync(join(root, "spam.curves.svg"), "utf8");
    expect(svg.match(/aria-roledescription="line mark"/g)).toHaveLength(28);
  });
});
