/**
 * The language server on hostile documents (issue 13, classes 3, 6, 8, 11): coded diagnostics for deep
 * nesting, backtracking regexes and inexact integers; linear-time selectors against long layer names;
 * changes coalesced into few analyses, and a change that a request analysed early still published; a
 * 100,000-line document answered at once with a warning; the largest documents analysed live, valid or
 * hostile, answered with their coded diagnostics. The server runs under a heap cap; time bounds here
 * are hang guards, not performance targets.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateModelSpec } from "../../../bench/gen-spec.ts";
import { MAX_LIVE_CHARS, MAX_LIVE_LINES } from "../schedule.ts";
import { LspClient } from "./lsp-client.ts";

const root = join(import.meta.dirname, "..", "..", "..");
const dir = mkdtempSync(join(tmpdir(), "adapt-lsp-hostile-"));
const HANG_GUARD_MS = 20_000;
const HEAP_CAP_MIB = 512;

interface Published {
  uri: string;
  version?: number;
  diagnostics: { code: string; severity: number; range: { start: { line: number; character: number } } }[];
}

let client: LspClient;
beforeAll(async () => {
  const json = JSON.parse(readFileSync(join(root, "compiler/__tests__/fixtures/tiny-bert/model.json"), "utf8"));
  const long = `${"a".repeat(4000)}!`;
  json.modelTopology.config.layers.push({
    class_name: "Dropout",
    name: long,
    config: { name: long, rate: 0.1 },
    inbound_nodes: [[[json.modelTopology.config.layers.at(-1).name, 0, 0, {}]]],
  });
  writeFileSync(join(dir, "model.json"), JSON.stringify(json));
  copyFileSync(join(root, "compiler/__tests__/fixtures/tiny-bert/weights.bin"), join(dir, "weights.bin"));
  const server = [`--max-old-space-size=${HEAP_CAP_MIB}`, join(root, "editors", "server", "main.js"), "--stdio"];
  client = new LspClient(process.execPath, server, root);
  await client.request("initialize", { processId: process.pid, rootUri: pathToFileURL(dir).href, capabilities: {} });
  client.notify("initialized", {});
}, 60_000);
afterAll(async () => {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(name: string, text: string): string {
  const uri = pathToFileURL(join(dir, name)).href;
  client.notify("textDocument/didOpen", { textDocument: { uri, languageId: "adapt", version: 1, text } });
  return uri;
}

async function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>(
    (_, reject) =>
      (timer = setTimeout(() => reject(new Error(`${what} took longer than ${HANG_GUARD_MS} ms`)), HANG_GUARD_MS)),
  );
  try {
    return await Promise.race([p, guard]);
  } finally {
    clearTimeout(timer);
  }
}

describe("the language server on hostile documents", () => {
  it("reports deep nesting, a backtracking regex and an inexact integer, and still answers hovers", async () => {
    const text = `adapter h = bottleneck(size: ${"[".repeat(20_000)}4)\ninsert h after /(a)\\1/\nadapter g = lora(rank: 99999999999999999999)\n`;
    const uri = open("hostile.adapt", text);
    const got = await within(
      client.waitFor<Published>("textDocument/publishDiagnostics", (p) => p.uri === uri),
      "diagnostics",
    );
    expect(got.diagnostics.map((d) => d.code).sort()).toEqual(["ADAPT010", "ADAPT011", "ADAPT012"]);
    await within(
      client.request("textDocument/hover", { textDocument: { uri }, position: { line: 2, character: 9 } }),
      "hover",
    );
  }, 60_000);

  it("matches nested-quantifier selectors against a 4,000-character layer name without blocking", async () => {
    const uri = open(
      "redos.adapt",
      'model "model.json"\nadapter h = bottleneck(size: 4)\ninsert h after "encoder.layer.*.output.dense"\ntrain /(a+)+$/\nfreeze /(a|aa)*b/\n',
    );
    const got = await within(
      client.waitFor<Published>("textDocument/publishDiagnostics", (p) => p.uri === uri),
      "diagnostics",
    );
    expect(got.diagnostics.map((d) => d.code)).toEqual(["ADAPT120", "ADAPT120"]);
    await within(
      client.request("textDocument/hover", { textDocument: { uri }, position: { line: 2, character: 2 } }),
      "hover",
    );
  }, 60_000);

  it("coalesces a burst of changes into few analyses, publishing the last version", async () => {
    const uri = open("typing.adapt", "adapter h = bottleneck(size: 4)\n");
    await within(
      client.waitFor<Published>("textDocument/publishDiagnostics", (p) => p.uri === uri),
      "first diagnostics",
    );
    const before = client.received<Published>("textDocument/publishDiagnostics").filter((p) => p.uri === uri).length;
    let text = "adapter h = bottleneck(size: 4)\n";
    for (let v = 2; v <= 41; v++) {
      text += v % 2 === 0 ? "#" : "\n";
      client.notify("textDocument/didChange", { textDocument: { uri, version: v }, contentChanges: [{ text }] });
    }
    await within(
      client.waitFor<Published>("textDocument/publishDiagnostics", (p) => p.uri === uri && p.version === 41),
      "the last version's diagnostics",
    );
    const after = client.received<Published>("textDocument/publishDiagnostics").filter((p) => p.uri === uri).length;
    expect(after - before).toBeLessThan(10);
  }, 60_000);

  it("publishes the diagnostics of a change that a request analysed before its quiet time ended", async () => {
    const uri = open("asked.adapt", "adapter h = bottleneck(size: 4)\n");
    await within(
      client.waitFor<Published>("textDocument/publishDiagnostics", (p) => p.uri === uri),
      "first diagnostics",
    );
    const text = "adapter h = bottleneck(size: 4)\nadapter h = lora(rank: 4)\n";
    client.notify("textDocument/didChange", { textDocument: { uri, version: 2 }, contentChanges: [{ text }] });
    await within(
      client.request("textDocument/hover", { textDocument: { uri }, position: { line: 1, character: 9 } }),
      "hover",
    );
    const got = await within(
      client.waitFor<Published>("textDocument/publishDiagnostics", (p) => p.uri === uri && p.version === 2),
      "the changed version's diagnostics",
    );
    expect(got.diagnostics.map((d) => d.code).sort()).toEqual(["ADAPT102", "ADAPT109"]);
  }, 60_000);

  it("answers at once on a 100,000-line document, with a warning instead of live analysis", async () => {
    const uri = open("blank.adapt", `${"\n".repeat(100_000)}adapter h = bottleneck(size: 4)\n`);
    const got = await within(
      client.waitFor<Published>("textDocument/publishDiagnostics", (p) => p.uri === uri),
      "diagnostics",
    );
    expect(got.diagnostics.map((d) => [d.code, d.severity])).toEqual([["ADAPT938", 2]]);
    await within(
      client.request("textDocument/completion", { textDocument: { uri }, position: { line: 100_000, character: 3 } }),
      "completion",
    );
    await within(
      client.request("textDocument/hover", { textDocument: { uri }, position: { line: 99_999, character: 0 } }),
      "hover",
    );
  }, 60_000);

  it("analyses a valid spec just under the size limit live and answers a hover on it", async () => {
    const text = generateModelSpec(7000, 12, "model.json");
    expect(text.length).toBeLessThan(MAX_LIVE_CHARS);
    const uri = open("large.adapt", text);
    const got = await within(
      client.waitFor<Published>("textDocument/publishDiagnostics", (p) => p.uri === uri),
      "diagnostics",
    );
    expect(got.diagnostics.filter((d) => d.severity === 1)).toEqual([]);
    const lines = text.split("\n");
    const line = lines.findIndex((l, i) => i > 6000 && l.startsWith("insert") && l.includes('"'));
    const hover = await within(
      client.request("textDocument/hover", {
        textDocument: { uri },
        position: { line, character: lines[line]!.indexOf('"') + 2 },
      }),
      "hover",
    );
    expect(JSON.stringify(hover)).toContain("layer");
  }, 60_000);

  it.each([
    [
      "as many bad statements as the line limit allows",
      "adapter\n".repeat(MAX_LIVE_LINES - 1),
      "ADAPT004",
      MAX_LIVE_LINES - 1,
    ],
    ["stray characters up to the size limit", `${"1+".repeat(MAX_LIVE_CHARS / 2 - 1)}\n`, "ADAPT001", 100],
    ["one-character tokens up to the size limit", `${",".repeat(MAX_LIVE_CHARS - 1)}\n`, "ADAPT004", 1],
    [
      "a list as long as the size limit allows, ending in a comma",
      `adapter a = lora(rank: [${"1,".repeat(MAX_LIVE_CHARS / 2 - 20)}])\n`,
      "ADAPT004",
      1,
    ],
    ["one character more than the size limit", `${"#".repeat(MAX_LIVE_CHARS)}\n`, "ADAPT938", 1],
  ])(
    "answers %s with coded diagnostics",
    async (what, text, code, count) => {
      const uri = open(`limit-${what.length}.adapt`, text);
      const got = await within(
        client.waitFor<Published>("textDocument/publishDiagnostics", (p) => p.uri === uri),
        "diagnostics",
      );
      expect(new Set(got.diagnostics.map((d) => d.code))).toEqual(new Set([code]));
      expect(got.diagnostics).toHaveLength(count);
      await within(
        client.request("textDocument/completion", { textDocument: { uri }, position: { line: 0, character: 1 } }),
        "completion",
      );
    },
    60_000,
  );
});
