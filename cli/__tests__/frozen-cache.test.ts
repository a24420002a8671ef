import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../command.ts";
import { frozenCacheOptions, parseBytes } from "../frozen-cache.ts";
import { runCli } from "./run-cli.ts";

const fixtures = new URL("../../compiler/__tests__/fixtures/", import.meta.url).pathname;

/** The tiny-bert fixture with a top-2 spec, a training file of 5 rows (one blank line) and a validation file of 3. */
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), "adapt-frozen-cli-"));
  cpSync(join(fixtures, "tiny-bert"), join(dir, "tiny-bert"), { recursive: true });
  mkdirSync(join(dir, "data"));
  const row = (i: number): string => JSON.stringify({ sentence: `s ${i}`, label: i % 2 });
  writeFileSync(join(dir, "data/train.jsonl"), `${[0, 1, 2, 3].map(row).join("\n")}\n\n${row(4)}\n`);
  writeFileSync(join(dir, "data/validation.jsonl"), `${[5, 6, 7].map(row).join("\n")}\n`);
  writeFileSync(
    join(dir, "top2.adapt"),
    `model "tiny-bert/model.json"
train "encoder.layer.*.**" in layers 10..11
head classifier(classes: 2)
plan {
  data       train: "data/train.jsonl", validation: "data/validation.jsonl", text: "sentence", label: "label"
  optimizer  adam(lr: 1e-3)
  epochs     2
  batch      2
  max_length 16
  output     "runs/top2"
}
`,
  );
  return dir;
}

describe("the frozen-prefix cache on the command line", () => {
  it("explain shows the frozen layers and the caches' bounds for the training and validation files' rows", async () => {
    const dir = workspace();
    const r = await runCli(["explain", "top2.adapt"], dir);
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      "layers 0-9 frozen and unchanged: their outputs are cached after epoch 1 (5 examples x at most 16 x 8 floats = at most 3 KB, in memory), and the validation split's at its first evaluation (3 examples, at most 2 KB, in memory)",
    );
    const off = await runCli(["explain", "top2.adapt", "--frozen-cache", "off", "--json"], dir);
    expect(JSON.parse(off.out).frozenPrefix).toEqual({
      layers: 10,
      total: 12,
      d: 8,
      reason: null,
      cache: {
        examples: 5,
        maxLength: 16,
        d: 8,
        bytes: 5 * 16 * 8 * 4,
        placement: "off",
        memoryBytes: null,
        validation: { examples: 3, bytes: 3 * 16 * 8 * 4, placement: "off" },
      },
    });
  });

  it("reads sizes and refuses bad flag values as usage errors", () => {
    expect([parseBytes("512MiB"), parseBytes("2GB"), parseBytes("0"), parseBytes("1.5k"), parseBytes("lots")]).toEqual([
      512 * 1024 ** 2,
      2e9,
      0,
      1536,
      null,
    ]);
    expect(frozenCacheOptions({})).toEqual({ enabled: true, memoryBytes: 1024 ** 3 });
    expect(frozenCacheOptions({ "frozen-cache": "off", "frozen-cache-memory": "64MiB" })).toEqual({
      enabled: false,
      memoryBytes: 64 * 1024 ** 2,
    });
    expect(() => frozenCacheOptions({ "frozen-cache": "maybe" })).toThrow(UsageError);
    expect(() => frozenCacheOptions({ "frozen-cache-memory": "lots" })).toThrow(
      "--frozen-cache-memory takes a size such as 512MiB or 2GiB, not `lots`",
    );
  });
});
