/**
 * The committed task data: every task's splits have the documented per-class counts and the same label
 * set, and no text (by `textKey`: case and whitespace folded) is in two splits or twice in one. Also the
 * split helper itself: stratified, deterministic for a seed, and refusing a class that is too small.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dedupe, SPLITS, stratifiedSplit, textKey, type Row } from "../common.ts";

const DATA = join(import.meta.dirname, "..");
const TASKS = readdirSync(DATA)
  .filter((d) => statSync(join(DATA, d)).isDirectory() && d !== "__tests__")
  .sort();
const TEXT: Readonly<Record<string, readonly string[]>> = { definitions: ["word", "definition"] };
/** Columns that must not repeat across splits on their own (a pair task's definitions). */
const ALONE: Readonly<Record<string, string>> = { definitions: "definition" };

function read(task: string, split: string): Row[] {
  return readFileSync(join(DATA, task, `${split}.jsonl`), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Row);
}

describe("the paper's task data", () => {
  it("has at least five tasks, one of them a sentence pair", () => {
    expect(TASKS.length).toBeGreaterThanOrEqual(5);
    expect(TASKS).toContain("definitions");
  });

  for (const task of TASKS) {
    it(`${task}: balanced classes, the same labels in every split, no text in two splits`, () => {
      const columns = TEXT[task] ?? ["text"];
      const seen = new Map<string, string>();
      let labels: string | null = null;
      for (const split of SPLITS) {
        const rows = read(task, split);
        expect(rows.length).toBeGreaterThanOrEqual(split === "train" ? 120 : 200);
        const counts = new Map<string, number>();
        for (const r of rows) {
          for (const c of columns)
            expect(typeof r[c] === "string" && r[c]!.length > 0, `${task}/${split}: ${JSON.stringify(r)}`).toBe(true);
          counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
          const k = textKey(r, columns);
          expect(seen.get(k), `${task}: ${JSON.stringify(r)} is in ${seen.get(k)} and ${split}`).toBeUndefined();
          seen.set(k, split);
          const alone = ALONE[task];
          if (alone !== undefined) {
            const a = `${alone}:${textKey(r, [alone])}`;
            expect([undefined, split]).toContain(seen.get(a));
            seen.set(a, split);
          }
        }
        expect(new Set(counts.values()).size, `${task}/${split} per-class counts`).toBe(1);
        const l = [...counts.keys()].sort().join(",");
        expect(labels === null || labels === l).toBe(true);
        labels = l;
      }
    });
  }
});

describe("stratifiedSplit", () => {
  const rows: Row[] = Array.from({ length: 30 }, (_, i) => ({ text: `t${i}`, label: i % 3 === 0 ? "a" : "b" }));

  it("deals each label's rows into the splits by count, the same way for the same seed", () => {
    const s = stratifiedSplit(rows, { train: 5, validation: 2, test: 3 }, 7);
    expect(SPLITS.map((k) => s[k].length)).toEqual([10, 4, 6]);
    expect(s.test.filter((r) => r.label === "a").length).toBe(3);
    expect(new Set(SPLITS.flatMap((k) => s[k].map((r) => r.text))).size).toBe(20);
    expect(stratifiedSplit(rows, { train: 5, validation: 2, test: 3 }, 7)).toEqual(s);
    expect(stratifiedSplit(rows, { train: 5, validation: 2, test: 3 }, 8)).not.toEqual(s);
  });

  it("refuses a label with too few rows, and dedupe folds case and spaces", () => {
    expect(() => stratifiedSplit(rows, { train: 9, validation: 1, test: 1 }, 1)).toThrow(
      "label a has 10 rows, 11 needed",
    );
    expect(
      dedupe(
        [
          { text: "A  b", label: "x" },
          { text: "a b", label: "y" },
        ],
        ["text"],
      ),
    ).toHaveLength(1);
  });
});
