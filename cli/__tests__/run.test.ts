import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { workspace } from "../../runtime/train/__tests__/fixtures/workspace.ts";

const bin = join(import.meta.dirname, "..", "..", "bin", "adapt.js");

const SPEC = `model "model.json"
adapter a = bottleneck(size: 4, init: zeros)
insert a after "encoder.layer.*.output.dense" in layers 0..1
head classifier(classes: 2, pool: mean, dropout: 0.1)
plan {
  data       train: "train.jsonl", validation: "dev.jsonl", test: "test.jsonl", text: "sentence", label: "label"
  optimizer  adamw(lr: 0.1)
  epochs     3
  batch      8
  seed       1
  output     "out"
}
`;

/** Runs `adapt` in `cwd`; sends SIGINT once stderr shows a training step (when asked). */
function adapt(
  cwd: string,
  args: string[],
  interrupt = false,
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((done, failed) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    let stderr = "",
      stdout = "",
      sent = false;
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
      if (interrupt && !sent && /step 1\/12/.test(stderr)) ((sent = true), child.kill("SIGINT"));
    });
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.on("error", failed);
    child.on("close", (code) => done({ code, stderr, stdout }));
  });
}

describe("adapt run", () => {
  it("saves a checkpoint and exits 130 on Ctrl-C, then --resume finishes with the artifact", async () => {
    const dir = workspace();
    writeFileSync(join(dir, "spec.adapt"), SPEC);
    const cut = await adapt(dir, ["run", "spec.adapt", "--backend", "cpu"], true);
    expect(cut.code, cut.stderr).toBe(130);
    expect(cut.stderr).toContain("resume with: adapt run spec.adapt --resume");
    expect(existsSync(join(dir, "out", "checkpoint.ckpt"))).toBe(true);
    expect(existsSync(join(dir, "out", "adapter.safetensors"))).toBe(false);
    const rest = await adapt(dir, ["run", "spec.adapt", "--backend", "cpu", "--resume"]);
    expect(rest.code, rest.stderr).toBe(0);
    expect(rest.stderr).toMatch(/resuming at step [1-9]/);
    expect(rest.stderr).toContain("trained parameters:");
    const events = readFileSync(join(dir, "out", "log.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { event: string }).event);
    expect(events).toContain("resume");
    expect(events.at(-1)).toBe("end");
    expect(existsSync(join(dir, "out", "adapter.safetensors"))).toBe(true);
  }, 90_000);

  it("exits 1 with the data file's line for a bad data row", async () => {
    const dir = workspace();
    writeFileSync(join(dir, "spec.adapt"), SPEC);
    writeFileSync(join(dir, "dev.jsonl"), '{"sentence": "fine", "label": "pos"}\n{"sentence": "", "label": "neg"}\n');
    const r = await adapt(dir, ["run", "spec.adapt", "--backend", "cpu"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("ADAPT904");
    expect(r.stderr).toMatch(/dev\.jsonl:2/);
  }, 60_000);
});
