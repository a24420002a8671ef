/**
 * Writes the exported peer folders of runtime/interchange's tests: for each case of EXPORT_CASES, the
 * artifact made on the tiny reference BERT (seeded weights) exported to PEFT or `adapters` into
 * `runtime/interchange/__tests__/fixtures/export/<case>/`. Then `scripts/reference/peer_reference.py
 * check` loads each folder with the real library and adds PyTorch's outputs (`reference.json`).
 * Run: `npx tsx scripts/make-peer-fixtures.ts`.
 */
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { decodeSafetensors } from "../runtime/artifact/safetensors.ts";
import { exportAdapters } from "../runtime/interchange/export-adapters.ts";
import { exportPeft } from "../runtime/interchange/export-peft.ts";
import { writePeerFolder } from "../runtime/interchange/peer.ts";
import {
  adaptedModel,
  artifactOf,
  compileIn,
  EXPORT_CASES,
  exportSpec,
  PEER_FIXTURES,
  tinyBertBase,
} from "../runtime/interchange/__tests__/fixtures.ts";

await tf.setBackend("cpu");
const { dir, model: base } = await tinyBertBase();
for (const name of Object.keys(EXPORT_CASES) as (keyof typeof EXPORT_CASES)[]) {
  const plan = await compileIn(dir, exportSpec(name));
  const artifact = await artifactOf(base, adaptedModel(base, plan), plan);
  const tensors = decodeSafetensors(artifact.safetensors).tensors;
  const options = { baseModel: "tiny-bert", file: "adapter.json" };
  const exported =
    EXPORT_CASES[name].format === "peft"
      ? exportPeft(artifact.meta, tensors, options)
      : exportAdapters(artifact.meta, tensors, options);
  if (exported.value === null) throw new Error(exported.diagnostics.map((d) => d.message).join("; "));
  const out = join(PEER_FIXTURES, "export", name);
  writePeerFolder(out, exported.value);
  console.log(`wrote ${out}`);
}
