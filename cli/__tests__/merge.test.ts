/** `adapt merge` end to end on the tiny reference BERT: the folder it writes, its refusal and its exit codes. */
import { existsSync, readFileSync, rmSync } from "node:fs";
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

const artifactFolder = (name: string, adapters: string): Promise<string> =>
  writeArtifactFolder(dir, base, name, adapters);

describe("adapt merge", () => {
  it("writes the merged folder with the layer module, the tokenizer and the labels", async () => {
    const art = await artifactFolder(
      "lora",
      'adapter l = lora(rank: 2)\napply l to "encoder.layer.*.attention.self.query"',
    );
    const r = await runCli(["merge", art, "-o", "merged"], dir);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("merged 2 adapter operation(s)");
    for (const f of ["model.json", "weights.bin", "adapt-layers.mjs", "tokenizer.json"])
      expect(existsSync(join(dir, "merged", f))).toBe(true);
    const json = JSON.parse(readFileSync(join(dir, "merged", "model.json"), "utf8"));
    expect(json.userDefinedMetadata.adapt.labels).toEqual(["neg", "pos"]);
  });

  it("exits 1 with ADAPT956 for a bottleneck adapter, naming it, and writes nothing", async () => {
    const art = await artifactFolder(
      "houlsby",
      'adapter h = bottleneck(size: 4)\ninsert h after "encoder.layer.*.output.dense"',
    );
    const r = await runCli(["merge", art, "-o", "nope"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[ADAPT956]: adapter `h` (bottleneck) at 2 sites");
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, "nope"))).toBe(false);
  });

  it("exits 2 without -o", async () => {
    expect((await runCli(["merge", "x"], dir)).code).toBe(2);
  });
});
