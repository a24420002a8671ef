import * as tf from "@tensorflow/tfjs";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileSaveHandler } from "../../runtime/io/file-io.ts";
import { tinyEncoder } from "../../runtime/surgery/__tests__/fixtures.ts";
import { runCli } from "./run-cli.ts";

const dir = mkdtempSync(join(tmpdir(), "adapt-verify-"));
beforeAll(async () => {
  await tf.setBackend("cpu");
  await tinyEncoder().save(fileSaveHandler(join(dir, "model")));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]): ReturnType<typeof runCli> => runCli(args, dir);

function spec(name: string, body: string, model = "model/model.json"): string {
  writeFileSync(join(dir, name), `model "${model}"\n${body}`);
  return name;
}

describe("adapt verify", () => {
  it("passes every check with exactly 0 deviation for zeros init and LoRA", async () => {
    const file = spec(
      "zeros.adapt",
      [
        "adapter h = bottleneck(size: 4, init: zeros)",
        "adapter l = lora(rank: 2, alpha: 4)",
        'insert h after "encoder.layer.*.output.dense"',
        'apply l to "encoder.layer.*.intermediate.dense"',
        "",
      ].join("\n"),
    );
    const r = await run(["verify", file]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("largest deviation at step 0: 0\n");
    expect(r.out).toMatch(/ok {3}merge/);
  });

  it("reports the near_identity deviation as JSON", async () => {
    const file = spec(
      "near.adapt",
      'adapter h = bottleneck(size: 4, init: near_identity(std: 0.01))\ninsert h after "encoder.layer.0.output.dense"\n',
    );
    const r = await run(["verify", file, "--json"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { ok: boolean; maxDeviation: number; checks: { name: string }[] };
    expect(report.ok).toBe(true);
    expect(report.maxDeviation).toBeGreaterThan(0);
    expect(report.checks.map((c) => c.name)).toEqual(["identity", "trainable", "roundtrip", "artifact"]);
  });

  it("exits 1 on spec errors and 2 when the model's weights cannot be loaded", async () => {
    const bad = spec("bad.adapt", 'adapter h = bottleneck(size: 4)\ninsert h after "encoder.layer.0.output.dens"\n');
    expect((await run(["verify", bad])).code).toBe(1);
    const broken = join(dir, "broken");
    await tinyEncoder().save(fileSaveHandler(broken));
    rmSync(join(broken, "weights.bin"));
    const file = spec(
      "broken.adapt",
      'adapter h = bottleneck(size: 4)\ninsert h after "encoder.layer.0.output.dense"\n',
      "broken/model.json",
    );
    const r = await run(["verify", file]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("ADAPT125");
  });
});
