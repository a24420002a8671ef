/**
 * `use` of a peer's folder through the CLI: `adapt explain` shows the peer's weights frozen, and every way
 * such a folder is refused is a coded diagnostic of `adapt check` at the `use` statement's path.
 */
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeSafetensors } from "../../runtime/artifact/safetensors.ts";
import { PEER_FIXTURES, tinyBertBase } from "../../runtime/interchange/__tests__/fixtures.ts";
import type { Io } from "../command.ts";
import { main } from "../main.ts";

let dir = "";

beforeAll(async () => {
  await tf.setBackend("cpu");
  const made = await tinyBertBase();
  made.model.dispose();
  dir = made.dir;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), color: false, cwd: dir };
  const code = await main(args, io);
  return { code, out: out.join(""), err: err.join("") };
}

/** A copy of a committed peer folder named `name` in the workspace, edited by `edit`. */
function peer(fixture: string, name: string, edit: (folder: string) => void = () => {}): string {
  const folder = join(dir, name);
  cpSync(join(PEER_FIXTURES, "peer", fixture), folder, { recursive: true });
  edit(folder);
  return name;
}

function editConfig(folder: string, f: (c: Record<string, unknown>) => void): void {
  const path = join(folder, "adapter_config.json");
  const config = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  f(config);
  writeFileSync(path, JSON.stringify(config));
}

interface JsonDiagnostic {
  line: number;
  column: number;
  severity: string;
  code: string;
  message: string;
  help?: string;
}

/** `adapt check --format json` of a spec that uses `path` on line 3. */
async function check(path: string): Promise<{ code: number; diagnostics: JsonDiagnostic[] }> {
  writeFileSync(join(dir, "spec.adapt"), `# a peer's folder\nmodel "base/model.json"\nuse "${path}" as p\n`);
  const r = await run(["check", "spec.adapt", "--format", "json"]);
  return { code: r.code, diagnostics: (JSON.parse(r.out) as JsonDiagnostic[]).filter((d) => d.severity === "error") };
}

describe("adapt explain with a peer's folder", () => {
  it("shows the PEFT adapter's weights as loaded and frozen, with the note on its base", async () => {
    peer("peft-lora", "lora");
    writeFileSync(join(dir, "explain.adapt"), `model "base/model.json"\nuse "lora" as p\n`);
    const r = await run(["explain", "explain.adapt"]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain("note[ADAPT979]");
    expect(r.out).toContain("loaded: p from lora (6 sites, frozen unless a rule trains it)");
    const rows = r.out.split("\n").filter((l) => l.startsWith("adapter.p.lora."));
    expect(rows.length).toBe(12);
    expect(rows.every((l) => /\sfrozen\s+default$/.test(l))).toBe(true);
  });
});

describe("adapt run with a peer's folder", () => {
  it("trains a head over the frozen PEFT adapter, saves its weights as PyTorch's transposed, and predicts", async () => {
    peer("peft-lora", "trained-lora");
    const rows = (n: number): string =>
      Array.from({ length: n }, (_, i) =>
        JSON.stringify({ sentence: i % 2 ? "a b c" : "d e", label: i % 2 ? "pos" : "neg" }),
      ).join("\n");
    for (const f of ["train", "dev", "test"]) writeFileSync(join(dir, `${f}.jsonl`), rows(8));
    writeFileSync(
      join(dir, "run.adapt"),
      `model "base/model.json"
use "trained-lora" as p
head classifier(classes: 2)
plan {
  data train: "train.jsonl", validation: "dev.jsonl", test: "test.jsonl", text: "sentence", label: "label"
  optimizer adam(lr: 0.01)
  epochs 1
  batch 4
  max_length 8
  seed 1
  output "runs/lora"
}
`,
    );
    const r = await run(["run", "run.adapt", "--backend", "cpu"]);
    expect(r.code, r.err).toBe(0);
    const saved = decodeSafetensors(new Uint8Array(readFileSync(join(dir, "runs/lora/adapter.safetensors")))).tensors;
    const peerTensors = decodeSafetensors(
      new Uint8Array(readFileSync(join(dir, "trained-lora/adapter_model.safetensors"))),
    ).tensors;
    const site = "encoder.layer.1.attention.self.value";
    const a = saved.get(`adapter.p.lora.${site}/lora_A`)!;
    const torchA = peerTensors.get(`base_model.model.${site}.lora_A.weight`)!;
    expect(a.shape).toEqual([torchA.shape[1], torchA.shape[0]]);
    const [rank, nIn] = torchA.shape as [number, number];
    for (let i = 0; i < nIn; i++)
      for (let j = 0; j < rank; j++) expect(a.values![i * rank + j]).toBe(torchA.values![j * nIn + i]);
    const p = await run(["predict", "runs/lora", "a b c", "--backend", "cpu", "--json"]);
    expect(p.code, p.err).toBe(0);
    expect(p.out).toContain("pos");
  }, 120_000);
});

describe("adapt check refuses peer folders at the `use` path", () => {
  const at = { line: 3, column: 5 };

  it("a folder that is neither an artifact nor a peer's (ADAPT930)", async () => {
    mkdirSync(join(dir, "empty"), { recursive: true });
    const r = await check("empty");
    expect(r.code).toBe(1);
    expect(r.diagnostics).toMatchObject([{ code: "ADAPT930", ...at }]);
    expect(r.diagnostics[0]!.help).toContain("adapter_config.json");
  });

  it("a config that is neither PEFT's nor adapters' (ADAPT959)", async () => {
    const name = peer("peft-lora", "foreign", (f) => writeFileSync(join(f, "adapter_config.json"), "{}"));
    const r = await check(name);
    expect(r.diagnostics).toMatchObject([{ code: "ADAPT959", ...at }]);
    expect(r.diagnostics[0]!.message).toContain("`adapter_config.json`: ");
  });

  it("pickle weights, with how to save safetensors (ADAPT976)", async () => {
    const name = peer("peft-lora", "pickled", (f) => {
      copyFileSync(join(f, "adapter_model.safetensors"), join(f, "adapter_model.bin"));
      rmSync(join(f, "adapter_model.safetensors"));
    });
    const r = await check(name);
    expect(r.diagnostics).toMatchObject([{ code: "ADAPT976", ...at }]);
    expect(r.diagnostics[0]!.help).toContain("safe_serialization=True");
  });

  it("a config adapt cannot compute, the field named (ADAPT977)", async () => {
    const rslora = peer("peft-lora", "rslora", (f) => editConfig(f, (c) => (c["use_rslora"] = true)));
    expect((await check(rslora)).diagnostics).toMatchObject([{ code: "ADAPT977", ...at }]);
    const pfeiffer = peer("adapters-houlsby", "pfeiffer", (f) =>
      editConfig(f, (c) => ((c["config"] as Record<string, unknown>)["original_ln_before"] = true)),
    );
    const r = await check(pfeiffer);
    expect(r.diagnostics).toMatchObject([{ code: "ADAPT977", ...at }]);
    expect(r.diagnostics[0]!.message).toContain("original_ln_before");
  });

  it("tensors that are missing, mis-shaped or left over (ADAPT978)", async () => {
    const fewer = peer("peft-lora", "fewer", (f) => editConfig(f, (c) => (c["target_modules"] = ["query", "value"])));
    const r = await check(fewer);
    expect(r.diagnostics).toMatchObject([{ code: "ADAPT978", ...at }]);
    expect(r.diagnostics[0]!.message).toContain("belongs to no module the config adapts");
    const wider = peer("peft-lora", "wider", (f) => editConfig(f, (c) => (c["r"] = 5)));
    const w = await check(wider);
    expect(w.diagnostics).toMatchObject([{ code: "ADAPT978", ...at }]);
    expect(w.diagnostics[0]!.message).toContain("gives shape [32, 4]");
  });
});
