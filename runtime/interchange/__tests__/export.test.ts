/**
 * `adapt export` against the real Python libraries: each case's artifact (seeded, on the tiny reference
 * BERT) exports to exactly the committed folder, which scripts/reference/peer_reference.py loaded with
 * PEFT or `adapters` on the same checkpoint; adapt's outputs match PyTorch's within 1e-4.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeSafetensors } from "../../artifact/safetensors.ts";
import { exportAdapters } from "../export-adapters.ts";
import { exportPeft } from "../export-peft.ts";
import {
  adaptedModel,
  artifactOf,
  compileIn,
  EXPORT_CASES,
  exportSpec,
  hiddenState,
  PEER_FIXTURES,
  tinyBertBase,
  maxDiff,
  readReference,
} from "./fixtures.ts";

let dir = "";
let base: tf.LayersModel;

beforeAll(async () => {
  await tf.setBackend("cpu");
  ({ dir, model: base } = await tinyBertBase());
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("export to the PyTorch peers", () => {
  for (const name of Object.keys(EXPORT_CASES) as (keyof typeof EXPORT_CASES)[]) {
    it(`${name}: writes the committed folder, whose PyTorch outputs adapt matches within 1e-4`, async () => {
      const plan = await compileIn(dir, exportSpec(name));
      const adapted = adaptedModel(base, plan);
      const artifact = await artifactOf(base, adapted, plan);
      const tensors = decodeSafetensors(artifact.safetensors).tensors;
      const options = { baseModel: "tiny-bert", file: "adapter.json" };
      const r =
        EXPORT_CASES[name].format === "peft"
          ? exportPeft(artifact.meta, tensors, options)
          : exportAdapters(artifact.meta, tensors, options);
      expect(r.diagnostics.map((d) => `${d.code} ${d.severity}`)).toEqual(["ADAPT958 warning"]);
      const folder = join(PEER_FIXTURES, "export", name);
      for (const [file, data] of r.value!) {
        const committed = new Uint8Array(readFileSync(join(folder, file)));
        expect(typeof data === "string" ? new TextEncoder().encode(data) : data).toEqual(committed);
      }
      const reference = readReference(join(folder, "reference.json"));
      const encoder = plan.head!.input;
      let worst = 0;
      for (const batch of reference) {
        const ours = hiddenState(adapted, batch, encoder);
        worst = Math.max(worst, maxDiff(ours, batch.last_hidden_state));
        expect(maxDiff(hiddenState(base, batch), batch.last_hidden_state)).toBeGreaterThan(1e-2);
      }
      expect(worst).toBeLessThanOrEqual(1e-4);
    });
  }
});

describe("what the peers' formats cannot say (ADAPT958)", () => {
  const refusals: [string, "peft" | "adapters", string, string][] = [
    [
      "a bottleneck to PEFT",
      "peft",
      'adapter h = bottleneck(size: 4)\ninsert h after "encoder.layer.*.output.dense"',
      "adapter `h` (bottleneck) is not LoRA",
    ],
    [
      "LoRA to adapters",
      "adapters",
      'adapter l = lora(rank: 2)\napply l to "encoder.layer.0.attention.self.query"',
      "adapter `l` is lora, not a serial bottleneck",
    ],
    [
      "trained LayerNorms",
      "peft",
      'adapter l = lora(rank: 2)\napply l to "encoder.layer.0.attention.self.query"\ntrain "**.LayerNorm"',
      "trains 10 base weight(s)",
    ],
    [
      "a bottleneck where adapters has no place",
      "adapters",
      'adapter h = bottleneck(size: 4)\ninsert h after "encoder.layer.*.output.LayerNorm"',
      "places a serial bottleneck only after",
    ],
    [
      "uneven layers",
      "adapters",
      'adapter h = bottleneck(size: 4)\ninsert h after "encoder.layer.*.output.dense"\ninsert h after "encoder.layer.0.attention.output.dense"',
      "layer 1 lacks one of the two sites",
    ],
  ];
  for (const [what, format, adapters, message] of refusals) {
    it(`refuses ${what}`, async () => {
      const plan = await compileIn(dir, `model "base/model.json"\n${adapters}\n`);
      const artifact = await artifactOf(base, adaptedModel(base, plan), plan);
      const tensors = decodeSafetensors(artifact.safetensors).tensors;
      const options = { baseModel: "tiny-bert", file: "adapter.json" };
      const r =
        format === "peft"
          ? exportPeft(artifact.meta, tensors, options)
          : exportAdapters(artifact.meta, tensors, options);
      expect(r.value).toBeNull();
      expect(r.diagnostics.map((d) => d.code)).toContain("ADAPT958");
      expect(r.diagnostics.map((d) => d.message).join("\n")).toContain(message);
    });
  }
});
