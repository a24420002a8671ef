/**
 * Edited or damaged artifacts, prototype keys, typed data values, a full disk, stale temp files and a
 * wrong base model, through `adapt eval`/`import` and the run session (issue 13, classes 4, 5, 7, 10):
 * each asserts the coded diagnostic, the exit code and no stack trace.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { runSession } from "../../runtime/train/session.ts";
import { planFor, workspace } from "../../runtime/train/__tests__/fixtures/workspace.ts";
import { weightsChecksum } from "../../runtime/artifact/validate.ts";
import { saveRunArtifact } from "../commands/run-support.ts";
import { hasTrace } from "./bounded-cli.ts";
import { runCli } from "./run-cli.ts";

let dir = "";
let artifact = "";

beforeAll(async () => {
  await tf.setBackend("cpu");
  dir = workspace();
  const plan = planFor(dir, { epochs: 1 });
  const withFile = { ...plan, spec: { ...plan.spec, file: join(dir, "x.adapt") } };
  const run = await runSession(withFile, { specDir: dir, resume: false });
  const io = { stdout: () => undefined, stderr: () => undefined, color: false, cwd: dir };
  artifact = (await saveRunArtifact(withFile, run.value!, io))!.path;
}, 60_000);

/** A copy of the trained artifact folder, edited by `edit`. */
function edited(name: string, edit: (folder: string) => void): string {
  const folder = join(dir, name);
  cpSync(artifact, folder, { recursive: true });
  edit(folder);
  return folder;
}

/** The fields of `adapter.json` that the edits below change; the rest is written back as it was read. */
interface EditableMeta {
  weightsSha256: string;
  spec: { text: string };
  plan: { head: { kind: string; classes: number }; weights: unknown[]; spec: { text: string } };
}

function editMeta(folder: string, f: (meta: EditableMeta) => void, rechecksum = true): void {
  const path = join(folder, "adapter.json");
  const meta = JSON.parse(readFileSync(path, "utf8")) as EditableMeta;
  f(meta);
  if (rechecksum)
    meta.weightsSha256 = weightsChecksum(new Uint8Array(readFileSync(join(folder, "adapter.safetensors"))));
  writeFileSync(path, JSON.stringify(meta));
}

/** Replaces the weights file and records its checksum, so the bytes reach the safetensors reader. */
function setWeights(folder: string, bytes: Uint8Array): void {
  writeFileSync(join(folder, "adapter.safetensors"), bytes);
  editMeta(folder, () => undefined);
}

async function evalOf(folder: string, extra: string[] = []): Promise<{ code: number; err: string }> {
  const r = await runCli(["eval", folder, "--data", "test.jsonl", "--backend", "cpu", ...extra], dir);
  expect(hasTrace(r.err + r.out), r.err).toBe(false);
  return r;
}

function header(json: string, data: number): Uint8Array {
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.byteLength + data);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.byteLength), true);
  out.set(head, 8);
  return out;
}

describe("class 4: an edited artifact is refused", () => {
  it.each([
    [
      "an unknown head kind",
      (m: EditableMeta) => void (m.plan.head.kind = "mystery"),
      "stored plan does not match plan.schema.json",
    ],
    ["a duplicated weight", (m: EditableMeta) => void m.plan.weights.push(m.plan.weights[0]), "appears twice"],
    [
      "a spec text that does not match its hash",
      (m: EditableMeta) => void (m.plan.spec.text = m.spec.text = "# other\n"),
      "does not match its sha256",
    ],
    ["an absurd head size", (m: EditableMeta) => void (m.plan.head.classes = 1e12), "more than 1000000"],
  ])("%s (ADAPT931, exit 1)", async (_what, edit, why) => {
    const r = await evalOf(edited(`meta-${why.length}`, (f) => editMeta(f, edit)));
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[ADAPT931]");
    expect(r.err).toContain(why);
  });

  it("refuses a `__proto__` key anywhere in adapter.json (ADAPT931)", async () => {
    const folder = edited("proto", (f) => {
      const text = readFileSync(join(f, "adapter.json"), "utf8");
      writeFileSync(join(f, "adapter.json"), text.replace('"plan": {', '"plan": {"__proto__": {"head": null},'));
    });
    const r = await evalOf(folder);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error\[ADAPT931\].*forbidden key `__proto__`/);
  });

  it("refuses flipped weight bytes by their checksum (ADAPT936, naming adapter.safetensors)", async () => {
    const folder = edited("flipped", (f) => {
      const bytes = new Uint8Array(readFileSync(join(f, "adapter.safetensors")));
      bytes[bytes.length - 3]! ^= 0x40;
      writeFileSync(join(f, "adapter.safetensors"), bytes);
    });
    const r = await evalOf(folder);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[ADAPT936]");
    expect(r.err).toContain(join(folder, "adapter.safetensors"));
  });

  it("refuses an adapter.safetensors that is a link to a device (ADAPT930)", async () => {
    const folder = edited("device", (f) => {
      rmSync(join(f, "adapter.safetensors"));
      symlinkSync("/dev/zero", join(f, "adapter.safetensors"));
    });
    const r = await evalOf(folder);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error\[ADAPT930\].*(outside the folder|device)/);
  });

  it("reports a wrong base model with the artifact's code (ADAPT932), before any surgery", async () => {
    const other = join(dir, "other-base");
    mkdirSync(other);
    cpSync(join(dir, "tokenizer.json"), join(other, "tokenizer.json"));
    cpSync(join(dir, "model.json"), join(other, "model.json"));
    const weights = new Uint8Array(readFileSync(join(dir, "weights.bin")));
    weights[100]! ^= 0x10;
    writeFileSync(join(other, "weights.bin"), weights);
    const r = await evalOf(artifact, ["--model", join(other, "model.json")]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[ADAPT932]");
    expect(r.err).not.toMatch(/x\.adapt:\d/);
  });
});

describe("class 7: a malformed adapter.safetensors is ADAPT931", () => {
  it.each([
    ["truncated before its header length", new Uint8Array(5), "shorter than its 8-byte header length"],
    [
      "a header length overflowing the file",
      (() => {
        const b = new Uint8Array(16);
        new DataView(b.buffer).setBigUint64(0, 0xffffffffffffff00n, true);
        return b;
      })(),
      "runs past the end of the file",
    ],
    [
      "offsets in reverse order",
      header('{"head/dense/kernel":{"dtype":"F32","shape":[8,2],"data_offsets":[64,0]}}', 64),
      "reverse order",
    ],
    [
      "a tensor larger than the file",
      header('{"head/dense/kernel":{"dtype":"F32","shape":[8,2],"data_offsets":[0,64]}}', 8),
      "holds only 8",
    ],
    [
      "an inexact data offset",
      header('{"head/dense/kernel":{"dtype":"F32","shape":[8,2],"data_offsets":[0,18446744073709551616]}}', 8),
      "not two byte positions",
    ],
  ])("%s", async (_what, bytes, why) => {
    const r = await evalOf(edited(`st-${why.length}`, (f) => setWeights(f, bytes)));
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[ADAPT931]");
    expect(r.err).toContain(why);
  });
});

describe("class 5: own properties and typed values only", () => {
  it("reads no column through the prototype and refuses values of the wrong type (ADAPT903, ADAPT950)", async () => {
    writeFileSync(
      join(dir, "typed.jsonl"),
      [
        JSON.stringify({ sentence: 42, label: "pos" }),
        JSON.stringify({ sentence: { text: "x" }, label: "pos" }),
        JSON.stringify({ sentence: "fine", label: ["pos"] }),
        JSON.stringify({ label: "pos" }),
        "",
      ].join("\n"),
    );
    const r = await runCli(["eval", artifact, "--data", "typed.jsonl", "--backend", "cpu"], dir);
    expect(r.code).toBe(1);
    expect(r.err.match(/error\[ADAPT950\]/g)?.length).toBe(3);
    expect(r.err).toContain("column `sentence` holds a number, not a string");
    expect(r.err).toContain("error[ADAPT903]");
    const { readSplit } = await import("../../runtime/data/load.ts");
    writeFileSync(join(dir, "proto.jsonl"), `${JSON.stringify({ text: "a", label: "b" })}\n`);
    const split = await readSplit(join(dir, "proto.jsonl"), {
      text: "constructor",
      label: "__proto__",
      textPair: null,
      format: null,
    });
    expect(split.diagnostics.map((d) => d.code)).toEqual(["ADAPT903"]);
  }, 30_000);

  it("reads imported config keys as own properties and bounds their sizes (ADAPT962, ADAPT961)", async () => {
    const fixture = join(import.meta.dirname, "../../runtime/import/__tests__/fixtures/tiny-bert");
    for (const [name, change, code] of [
      ["act", { hidden_act: "constructor" }, "ADAPT962"],
      ["sizes", { vocab_size: 16_000_000, hidden_size: 16_000_000 }, "ADAPT961"],
    ] as const) {
      const folder = join(dir, `hf-${name}`);
      cpSync(fixture, folder, { recursive: true });
      const config = JSON.parse(readFileSync(join(folder, "config.json"), "utf8"));
      writeFileSync(join(folder, "config.json"), JSON.stringify({ ...config, ...change }));
      const r = await runCli(["import", "hf", folder, "-o", join(dir, `out-${name}`)], dir);
      expect(r.code, r.err).toBe(1);
      expect(r.err).toContain(`error[${code}]`);
      expect(hasTrace(r.err)).toBe(false);
    }
  });
});

describe("class 7 and 10: a full disk and stale temp files during a run", () => {
  it("removes stale temp files at start and stops on ENOSPC with ADAPT912", async () => {
    const out = join(dir, "out-full");
    mkdirSync(out);
    const stale = join(out, ".checkpoint.ckpt.999999999.1.tmp");
    writeFileSync(stale, "half");
    symlinkSync("/dev/full", join(out, "log.jsonl"));
    const plan = planFor(dir, { epochs: 1, output: "out-full" });
    const r = await runSession(
      { ...plan, spec: { ...plan.spec, file: join(dir, "x.adapt") } },
      { specDir: dir, resume: false },
    );
    expect(existsSync(stale)).toBe(false);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["ADAPT912"]);
    expect(r.diagnostics[0]!.message).toMatch(/the disk filled up at step \d+; a checkpoint needs about .* free/);
  }, 30_000);
});
