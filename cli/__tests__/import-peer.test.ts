/** `adapt import peft|adapters` end to end, and the round trip PyTorch -> adapt -> PyTorch of the weights. */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeSafetensors } from "../../runtime/artifact/safetensors.ts";
import { PEER_FIXTURES, tinyBertBase } from "../../runtime/interchange/__tests__/fixtures.ts";
import { runCli } from "./run-cli.ts";

let dir = "";

beforeAll(async () => {
  await tf.setBackend("cpu");
  ({ dir } = await tinyBertBase());
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tensors = (file: string): Map<string, number[]> =>
  new Map([...decodeSafetensors(new Uint8Array(readFileSync(file))).tensors].map(([k, t]) => [k, [...t.values]]));

describe("adapt import peft|adapters", () => {
  for (const [library, name, weights] of [
    ["peft", "peft-lora", "adapter_model.safetensors"],
    ["adapters", "adapters-houlsby", "adapter.safetensors"],
  ] as const) {
    it(`imports a ${library} folder saved by PyTorch, and exports the same tensors back`, async () => {
      const peer = join(PEER_FIXTURES, "peer", name);
      const r = await runCli(["import", library, peer, "--model", "base/model.json", "-o", `${name}-art`], dir);
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
      expect(r.out).toContain(`${library} adapter operation(s)`);
      const back = await runCli(["export", "--format", library, `${name}-art`, "-o", `${name}-back`], dir);
      expect(back.code).toBe(0);
      expect(tensors(join(dir, `${name}-back`, weights))).toEqual(tensors(join(peer, weights)));
    });
  }

  it("refuses a folder of the other library, and exits 2 without --model", async () => {
    const r = await runCli(
      ["import", "adapters", join(PEER_FIXTURES, "peer", "peft-lora"), "--model", "base/model.json", "-o", "x"],
      dir,
    );
    expect(r.code).toBe(1);
    expect(r.err).toContain("ADAPT959");
    expect((await runCli(["import", "peft", "x", "-o", "y"], dir)).code).toBe(2);
  });
});
