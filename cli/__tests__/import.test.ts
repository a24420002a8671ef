import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../main.ts";
import type { Io } from "../command.ts";

const FIXTURE = join(import.meta.dirname, "..", "..", "runtime", "import", "__tests__", "fixtures", "tiny-bert");

function capture(cwd: string): Io & { out: string[]; err: string[] } {
  const out: string[] = [],
    err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), color: false, cwd };
}

describe("adapt import hf", () => {
  it("writes model.json, weights and the tokenizer, and summarises the model", async () => {
    const out = mkdtempSync(join(tmpdir(), "adapt-cli-import-"));
    const io = capture(out);
    expect(await main(["import", "hf", FIXTURE, "-o", "m", "--pooler"], io), io.err.join("")).toBe(0);
    for (const f of ["model.json", "weights.bin", "tokenizer.json", "config.json"])
      expect(existsSync(join(out, "m", f))).toBe(true);
    expect(io.out.join("")).toContain("2 layers, hidden 32, 4 heads");
    expect(io.err.join("")).toBe("");
  });

  it("exits 1 with a coded error for a folder that is not a checkpoint", async () => {
    const io = capture(tmpdir());
    expect(await main(["import", "hf", "no-such-dir", "-o", "m"], io)).toBe(1);
    expect(io.err.join("")).toContain("error[ADAPT960]");
  });

  it("exits 2 without -o or with another source than hf", async () => {
    expect(await main(["import", "hf", FIXTURE], capture(tmpdir()))).toBe(2);
    const io = capture(tmpdir());
    expect(await main(["import", "onnx", FIXTURE, "-o", "m"], io)).toBe(2);
    expect(io.err.join("")).toContain("the sources are `hf`, `peft` and `adapters`");
  });
});
