import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadDatasets } from "../../data/load.ts";
import { lines } from "../../data/rows.ts";
import { loadCheckpoint, saveCheckpoint } from "../../train/checkpoint.ts";
import { files, useFiles, type Files } from "../files.ts";
import { MemoryFiles, normalPath } from "../memory-files.ts";
import { NodeFiles } from "../node-files.ts";
import { checkFile, closeFile, openChecked, policy, readAt, readBytes, readText } from "../read-file.ts";

const implementations: [string, () => { fs: Files; root: string }][] = [
  ["node", () => ({ fs: new NodeFiles(), root: mkdtempSync(join(tmpdir(), "adapt-files-")) })],
  ["memory", () => ({ fs: new MemoryFiles(), root: "/work" })],
];

describe.each(implementations)("Files on %s", (_, make) => {
  it("writes, appends, reads, lists and removes", async () => {
    const { fs, root } = make();
    fs.writeAtomic(join(root, "a/b.txt"), "one\r\ntwo\n");
    fs.append(join(root, "a/b.txt"), "three");
    expect(fs.readText(join(root, "a/b.txt"))).toBe("one\r\ntwo\nthree");
    const chunks: string[] = [];
    for await (const c of fs.chunks(join(root, "a/b.txt"))) chunks.push(c);
    expect(chunks.join("")).toBe("one\r\ntwo\nthree");
    expect(fs.list(root)).toEqual(["a"]);
    expect(fs.readable(join(root, "a"))).toBe(false);
    expect(fs.readable(join(root, "a/b.txt"))).toBe(true);
    fs.remove(join(root, "a/b.txt"));
    expect(fs.exists(join(root, "a/b.txt"))).toBe(false);
    expect(() => fs.readBytes(join(root, "a/b.txt"))).toThrow(/ENOENT/);
  });

  it("refuses a read past the limit with EFBIG", () => {
    const { fs, root } = make();
    fs.writeAtomic(join(root, "big.bin"), new Uint8Array(100));
    expect(fs.readBytes(join(root, "big.bin"), 100).byteLength).toBe(100);
    expect(() => fs.readBytes(join(root, "big.bin"), 99)).toThrow(expect.objectContaining({ code: "EFBIG" }));
  });
});

describe("the runtime on MemoryFiles", () => {
  let before: Files | null = null;
  afterEach(() => {
    if (before) useFiles(before);
  });

  it("reads data and round-trips a checkpoint without touching the disk", async () => {
    const mem = new MemoryFiles();
    before = useFiles(mem);
    mem.put("/ws/train.jsonl", '{"text":"good","label":"pos"}\n{"text":"bad","label":"neg"}\n');
    const data = {
      train: "train.jsonl",
      validation: null,
      test: null,
      format: null,
      text: "text",
      textPair: null,
      label: "label",
    };
    const loaded = await loadDatasets(data, "/ws", { kind: "classifier", classes: 2 });
    expect(loaded.value?.labelNames).toEqual(["neg", "pos"]);
    saveCheckpoint("/ws/out/c.ckpt", { fingerprint: "f", state: { step: 3 }, arrays: [Float32Array.from([1, 2.5])] });
    const back = loadCheckpoint<{ step: number }>("/ws/out/c.ckpt");
    expect(back).toEqual({ fingerprint: "f", state: { step: 3 }, arrays: [Float32Array.from([1, 2.5])] });
    expect(files()).toBe(mem);
  });

  it("writes a checkpoint byte for byte as the node implementation does", () => {
    const dir = mkdtempSync(join(tmpdir(), "adapt-ck-"));
    const data = { fingerprint: "abc", state: { epoch: 1 }, arrays: [Float32Array.from([0.5, -1])] };
    saveCheckpoint(join(dir, "n.ckpt"), data);
    const mem = new MemoryFiles();
    before = useFiles(mem);
    saveCheckpoint("/m.ckpt", data);
    expect(Buffer.from(mem.readBytes("/m.ckpt"))).toEqual(readFileSync(join(dir, "n.ckpt")));
    rmSync(dir, { recursive: true });
  });

  it("normalises paths", () => {
    expect(normalPath("/a/./b/../c/")).toBe("/a/c");
    expect(normalPath("x")).toBe("/x");
  });
});

describe.each(implementations)("bounded reads on %s", (_, make) => {
  it("checks containment, kind, existence and the cap, then reads within the checked size", () => {
    const { fs, root } = make();
    const prev = useFiles(fs);
    try {
      fs.writeAtomic(join(root, "m/model.json"), "0123456789");
      fs.writeAtomic(join(root, "secret.txt"), "no");
      const inside = checkFile("model.json", policy("modelJson", join(root, "m")));
      expect(inside.ok && inside.size).toBe(10);
      expect(checkFile("../secret.txt", policy("modelJson", join(root, "m")))).toEqual({
        ok: false,
        reason: `it lies outside the folder \`${join(root, "m")}\``,
      });
      expect(checkFile(join(root, "m"), policy("modelJson"))).toEqual({ ok: false, reason: "it is a folder" });
      expect(checkFile(join(root, "none"), policy("modelJson"))).toEqual({
        ok: false,
        reason: "no such file or folder",
      });
      expect(readBytes(join(root, "m/model.json"), { maxBytes: 4 })).toEqual({
        ok: false,
        reason: "it is 10 bytes, more than the limit of 4 bytes",
      });
      const file = openChecked(join(root, "m/model.json"), policy("modelJson"));
      if (!file.ok) throw new Error(file.reason);
      expect(new TextDecoder().decode(readAt(file, 8, 5))).toBe("89");
      closeFile(file);
      fs.writeAtomic(join(root, "bom.txt"), "\uFEFFhi");
      expect(readText(join(root, "bom.txt"), policy("spec"))).toMatchObject({ ok: true, text: "hi" });
    } finally {
      useFiles(prev);
    }
  });

  it("streams data lines with a BOM, CRLF and a line over the cap", async () => {
    const { fs, root } = make();
    const prev = useFiles(fs);
    try {
      fs.writeAtomic(join(root, "d.jsonl"), `\uFEFFa\r\n${"x".repeat(200_000)}\nb`);
      const got: unknown[] = [];
      for await (const l of lines(join(root, "d.jsonl"), 20)) got.push(l);
      expect(got).toEqual([
        { text: "a", line: 1 },
        { line: 2, tooLong: true },
        { text: "b", line: 3 },
      ]);
    } finally {
      useFiles(prev);
    }
  });
});
