import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { wallTimes } from "../wall-times.ts";

const line = (id: string, series: string, seconds: number): string =>
  JSON.stringify({ id, series, seconds, backend: "tensorflow" });

describe("wall time per method", () => {
  it("sums the seconds of each task's series and of all tasks, a re-run point counted once", () => {
    const runs = mkdtempSync(join(tmpdir(), "paper-runs-"));
    for (const [task, lines] of [
      [
        "a",
        [
          line("full~1", "full", 30),
          line("adapters.m8~1", "adapters", 10),
          line("adapters.m8~2", "adapters", 14),
          line("full~1", "full", 20),
        ],
      ],
      ["b", [line("full~1", "full", 40)]],
    ] as const) {
      mkdirSync(join(runs, task));
      writeFileSync(join(runs, task, "results.jsonl"), `${lines.join("\n")}\n`);
    }
    mkdirSync(join(runs, "not-started"));
    const md = wallTimes(runs);
    expect(md).toContain("| a | adapters | 2 | 24 s | 12.0 s |");
    expect(md).toContain("| a | full | 1 | 20 s | 20.0 s |");
    expect(md).toContain("| all tasks | full | 2 | 60 s | 30.0 s |");
    expect(md).toContain("| all tasks | all methods | 4 | 84 s | 21.0 s |");
    expect(md).toContain("backend: tensorflow");
    expect(md).not.toContain("not-started");
  });
});
