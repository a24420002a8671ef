/**
 * `use` of a peer's folder (PEFT, AdapterHub `adapters`) saved by PyTorch: the spec compiles with the
 * peer's adapters loaded frozen, the model built from the plan gives PyTorch's outputs within 1e-4, and
 * a stack or fusion over a peer-loaded adapter compiles. The folders are the committed fixtures of
 * read-peer.test.ts (scripts/reference/peer_reference.py make).
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Diagnostic } from "../../../compiler/diagnostics/diagnostic.ts";
import type { CompiledPlan } from "../../../compiler/ir/types.ts";
import { runPipeline } from "../../../compiler/pipeline.ts";
import { usedArtifactLoader } from "../../artifact/read-used.ts";
import { buildModel } from "../../train/session.ts";
import { hiddenState, maxDiff, PEER_FIXTURES, readReference, tinyBertBase } from "./fixtures.ts";

let dir = "";

beforeAll(async () => {
  await tf.setBackend("cpu");
  const made = await tinyBertBase();
  made.model.dispose();
  dir = made.dir;
  for (const name of ["peft-lora", "adapters-houlsby"])
    cpSync(join(PEER_FIXTURES, "peer", name), join(dir, name), { recursive: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function compile(body: string): Promise<{ plan: CompiledPlan | null; diagnostics: readonly Diagnostic[] }> {
  const text = `model "base/model.json"\n${body}\n`;
  writeFileSync(join(dir, "spec.adapt"), text);
  const loader = (path: string) => ({ ok: true as const, json: readFileSync(join(dir, path), "utf8") });
  const r = await runPipeline({ text, file: join(dir, "spec.adapt"), artifacts: usedArtifactLoader(dir) }, loader);
  return { plan: r.value.plan, diagnostics: r.diagnostics };
}

const errors = (d: readonly Diagnostic[]): string[] =>
  d.filter((x) => x.severity === "error").map((x) => `${x.code} ${x.message}`);

describe("use of a folder saved by PyTorch", () => {
  for (const [name, adapter, ops] of [
    ["peft-lora", "p.lora", 6],
    ["adapters-houlsby", "p.houlsby", 4],
  ] as const) {
    it(`${name}: compiles frozen, notes the base it names, and builds a model with PyTorch's outputs within 1e-4`, async () => {
      const { plan, diagnostics } = await compile(`use "${name}" as p`);
      expect(errors(diagnostics)).toEqual([]);
      const note = diagnostics.find((d) => d.code === "ADAPT979");
      expect(note?.severity).toBe("note");
      expect(note?.message).toContain("tiny-bert");
      expect(note?.span.start).toMatchObject({ line: 2, column: 5 });
      expect(plan!.operations.map((op) => op.adapter)).toEqual(Array(ops).fill(adapter));
      expect(plan!.operations.every((op) => op.origin?.path === name)).toBe(true);
      const loaded = plan!.weights.filter((w) => w.name.startsWith(`adapter.${adapter}.`));
      expect(loaded.length).toBe(ops * (name === "peft-lora" ? 2 : 4));
      expect(loaded.every((w) => !w.trainable)).toBe(true);
      expect(plan!.totals.trainable).toBe(0);

      const built = await buildModel(plan!, dir);
      expect(errors(built.diagnostics)).toEqual([]);
      const model = built.value!.model;
      const reference = readReference(join(dir, name, "reference.json"));
      const diffs = reference.map((batch) => maxDiff(hiddenState(model, batch), batch.last_hidden_state));
      expect(Math.max(...diffs)).toBeLessThanOrEqual(1e-4);
      model.dispose();
    });
  }

  it("a stack of a peer-loaded adapter and the spec's own compiles in the stack's order", async () => {
    const { plan, diagnostics } = await compile(`use "adapters-houlsby" as h
adapter task = bottleneck(size: 4)
insert task after "encoder.layer.*.{attention.output.dense,output.dense}"
stack h, task`);
    expect(errors(diagnostics)).toEqual([]);
    const at = plan!.operations.filter((op) => op.site === "encoder.layer.1.output.dense").map((op) => op.id);
    expect(at).toEqual(["h.houlsby@encoder.layer.1.output.dense", "task@encoder.layer.1.output.dense"]);
    expect(plan!.weights.filter((w) => w.trainable).every((w) => w.name.startsWith("adapter.task."))).toBe(true);
  });

  it("a fusion of two peer-loaded adapters compiles with only the fusion trainable", async () => {
    const { plan, diagnostics } = await compile(`use "adapters-houlsby" as a
use "adapters-houlsby" as b
fuse a, b as mix`);
    expect(errors(diagnostics)).toEqual([]);
    expect(plan!.fusions?.map((f) => f.site).length).toBe(4);
    const trainable = plan!.weights.filter((w) => w.trainable);
    expect(trainable.length).toBeGreaterThan(0);
    expect(trainable.every((w) => w.name.includes("mix"))).toBe(true);
  });

  it("a peer folder whose config changed after compiling is refused when the model is built (ADAPT978)", async () => {
    const { plan } = await compile(`use "peft-lora" as p`);
    const changed = join(dir, "peft-changed");
    cpSync(join(dir, "peft-lora"), changed, { recursive: true });
    const moved = {
      ...plan!,
      operations: plan!.operations.map((op) => ({ ...op, origin: { ...op.origin!, path: "peft-changed" } })),
    };
    const config = join(changed, "adapter_config.json");
    const edited = JSON.parse(readFileSync(config, "utf8")) as Record<string, unknown>;
    writeFileSync(config, JSON.stringify({ ...edited, target_modules: ["query", "value"] }));
    const built = await buildModel(moved, dir);
    expect(built.value).toBeNull();
    expect(built.diagnostics.map((d) => d.code)).toContain("ADAPT978");
  });
});
