/**
 * `adapt import peft|adapters`: adapters trained in PyTorch (scripts/reference/peer_reference.py make,
 * committed under fixtures/peer/) convert into artifacts whose outputs on the tiny reference BERT match
 * PyTorch's within 1e-4; and every way a peer folder can be refused, by code.
 */
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadArtifact } from "../../artifact/artifact.ts";
import { convertPeerAdapter } from "../read-peer.ts";
import { hiddenState, maxDiff, PEER_FIXTURES, readReference, tinyBertBase } from "./fixtures.ts";

let dir = "";
let base: tf.LayersModel;
let basePath = "";

beforeAll(async () => {
  await tf.setBackend("cpu");
  ({ dir, model: base } = await tinyBertBase());
  basePath = join(dir, "base", "model.json");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of a committed peer folder, edited by `edit`. */
function edited(name: string, edit: (folder: string) => void): string {
  const folder = mkdtempSync(join(dir, `${name}-`));
  cpSync(join(PEER_FIXTURES, "peer", name), folder, { recursive: true });
  edit(folder);
  return folder;
}

function editConfig(folder: string, f: (c: Record<string, unknown>) => void): void {
  const path = join(folder, "adapter_config.json");
  const config = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  f(config);
  writeFileSync(path, JSON.stringify(config));
}

describe("convertPeerAdapter on adapters trained in PyTorch", () => {
  for (const [name, library, ops] of [
    ["peft-lora", "peft", 6],
    ["adapters-houlsby", "adapters", 4],
  ] as const) {
    it(`${name}: an artifact with a compiled plan whose outputs match PyTorch's within 1e-4`, async () => {
      const folder = join(PEER_FIXTURES, "peer", name);
      const r = await convertPeerAdapter(folder, base, basePath);
      expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expect(r.value?.library).toBe(library);
      const plan = r.value!.artifact.meta.plan;
      expect(plan.operations.length).toBe(ops);
      const loaded = await loadArtifact(base, r.value!.artifact);
      expect(loaded.diagnostics).toEqual([]);
      const reference = readReference(join(folder, "reference.json"));
      for (const batch of reference) {
        expect(maxDiff(hiddenState(loaded.value!.model, batch), batch.last_hidden_state)).toBeLessThanOrEqual(1e-4);
        expect(maxDiff(hiddenState(base, batch), batch.last_hidden_state)).toBeGreaterThan(1e-2);
      }
    });
  }
});

describe("convertPeerAdapter refusals", () => {
  const code = async (folder: string): Promise<string[]> =>
    (await convertPeerAdapter(folder, base, basePath)).diagnostics.map((d) => d.code);

  it("a folder without adapter_config.json or with a foreign one (ADAPT959)", async () => {
    expect(await code(join(dir, "nothing"))).toEqual(["ADAPT959"]);
    expect(await code(edited("peft-lora", (f) => writeFileSync(join(f, "adapter_config.json"), "{}")))).toEqual([
      "ADAPT959",
    ]);
  });

  it("pickle weights, with how to save safetensors (ADAPT976)", async () => {
    const folder = edited("peft-lora", (f) => {
      copyFileSync(join(f, "adapter_model.safetensors"), join(f, "adapter_model.bin"));
      rmSync(join(f, "adapter_model.safetensors"));
    });
    const r = await convertPeerAdapter(folder, base, basePath);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["ADAPT976"]);
    expect(r.diagnostics[0]?.help).toContain("safe_serialization=True");
  });

  it("configs adapt cannot compute, each field named (ADAPT977)", async () => {
    const rslora = edited("peft-lora", (f) => editConfig(f, (c) => (c["use_rslora"] = true)));
    expect(await code(rslora)).toEqual(["ADAPT977"]);
    const pfeiffer = edited("adapters-houlsby", (f) =>
      editConfig(f, (c) => ((c["config"] as Record<string, unknown>)["original_ln_before"] = true)),
    );
    const r = await convertPeerAdapter(pfeiffer, base, basePath);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["ADAPT977"]);
    expect(r.diagnostics[0]?.message).toContain("original_ln_before");
  });

  it("tensors that are missing, mis-shaped or left over (ADAPT978)", async () => {
    const fewer = edited("peft-lora", (f) => editConfig(f, (c) => (c["target_modules"] = ["query", "value"])));
    const r = await convertPeerAdapter(fewer, base, basePath);
    expect(r.diagnostics.map((d) => d.code)).toContain("ADAPT978");
    expect(r.diagnostics.map((d) => d.message).join("\n")).toContain("belongs to no module the config adapts");
    const wider = edited("peft-lora", (f) => editConfig(f, (c) => (c["r"] = 5)));
    expect((await convertPeerAdapter(wider, base, basePath)).diagnostics.map((d) => d.message).join("\n")).toContain(
      "gives shape [32, 4]",
    );
  });
});
