/** `adapt export` end to end: the folders it writes, its refusals and its exit codes. */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tinyBertBase, writeArtifactFolder } from "../../runtime/interchange/__tests__/fixtures.ts";
import { runCli } from "./run-cli.ts";

let dir = "";
let base: tf.LayersModel;

beforeAll(async () => {
  await tf.setBackend("cpu");
  ({ dir, model: base } = await tinyBertBase());
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("adapt export", () => {
  it("writes a PEFT folder, warning that the head stays behind", async () => {
    const art = await writeArtifactFolder(
      dir,
      base,
      "lora",
      'adapter l = lora(rank: 2)\napply l to "encoder.layer.*.attention.self.value"',
    );
    const r = await runCli(["export", "--format", "peft", art, "-o", "peft", "--base", "tiny-bert"], dir);
    expect(r.code).toBe(0);
    expect(r.err).toContain("warning[ADAPT958]: the task head (classifier, pool cls) is not exported");
    const config = JSON.parse(readFileSync(join(dir, "peft", "adapter_config.json"), "utf8"));
    expect(config).toMatchObject({ peft_type: "LORA", r: 2, lora_alpha: 8, base_model_name_or_path: "tiny-bert" });
    expect(existsSync(join(dir, "peft", "adapter_model.safetensors"))).toBe(true);
  });

  it("writes an adapters folder", async () => {
    const art = await writeArtifactFolder(
      dir,
      base,
      "houlsby",
      'adapter h = bottleneck(size: 8)\ninsert h after "encoder.layer.*.output.dense"',
    );
    const r = await runCli(["export", "--format", "adapters", art, "-o", "hub"], dir);
    expect(r.code).toBe(0);
    const config = JSON.parse(readFileSync(join(dir, "hub", "adapter_config.json"), "utf8"));
    expect(config.config).toMatchObject({
      mh_adapter: false,
      output_adapter: true,
      reduction_factor: 4,
      non_linearity: "relu",
    });
    expect(existsSync(join(dir, "hub", "adapter.safetensors"))).toBe(true);
  });

  it("exits 1 with ADAPT958 for what the format cannot say, and writes nothing", async () => {
    const art = await writeArtifactFolder(
      dir,
      base,
      "ia3",
      'adapter s = ia3()\napply s to "encoder.layer.0.output.dense"',
    );
    const r = await runCli(["export", "--format", "adapters", art, "-o", "none"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[ADAPT958]: adapter `s` is ia3, not a serial bottleneck");
    expect(existsSync(join(dir, "none"))).toBe(false);
  });

  it("exits 2 with ADAPT957 when the folder cannot be written, and on usage errors", async () => {
    const art = await writeArtifactFolder(
      dir,
      base,
      "lora2",
      'adapter l = lora(rank: 2)\napply l to "encoder.layer.0.attention.self.query"',
    );
    writeFileSync(join(dir, "file"), "x");
    const r = await runCli(["export", "--format", "peft", art, "-o", "file/out"], dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain("ADAPT957");
    expect((await runCli(["export", art, "-o", "x"], dir)).code).toBe(2);
    expect((await runCli(["export", "--format", "onnx", art, "-o", "x"], dir)).code).toBe(2);
  });
});
