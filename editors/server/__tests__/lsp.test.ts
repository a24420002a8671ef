import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { LspClient } from "./lsp-client.ts";
import { compileText, statementSummary } from "../../../compiler/compile.ts";
import { ADAPTER_KINDS } from "../../../compiler/kinds/registry.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const hoverFile = join(here, "fixtures", "hover.adapt");
const hoverUri = pathToFileURL(hoverFile).href;
const hoverText = readFileSync(hoverFile, "utf8");
const badUri = pathToFileURL(join(here, "fixtures", "unsaved-bad.adapt")).href;
const BAD = ['model "unterminated', "adapter a = bottleneck(sise: 4)", "insert a after", "size b = 4", ""].join("\n");

interface PublishedDiagnostics {
  uri: string;
  diagnostics: {
    range: { start: { line: number; character: number }; end: { line: number; character: number } };
    code: string;
    message: string;
  }[];
}

/** The LSP position of the `nth` occurrence of `needle` in `text`, `shift` characters into it. */
function positionOf(text: string, needle: string, shift = 0): { line: number; character: number } {
  const offset = text.indexOf(needle) + shift;
  const before = text.slice(0, offset).split("\n");
  return { line: before.length - 1, character: before[before.length - 1]!.length };
}

/** A hover result as the server sends it (Markdown contents, the hovered range). */
interface Hover {
  contents: { value: string };
  range?: unknown;
}

let client: LspClient;
beforeAll(async () => {
  client = new LspClient(process.execPath, [join(root, "editors", "server", "main.js"), "--stdio"], root);
  const init = await client.request<{ capabilities: { hoverProvider?: boolean } }>("initialize", {
    processId: process.pid,
    rootUri: pathToFileURL(root).href,
    capabilities: {},
  });
  expect(init.capabilities.hoverProvider).toBe(true);
  client.notify("initialized", {});
  client.notify("textDocument/didOpen", {
    textDocument: { uri: hoverUri, languageId: "adapt", version: 1, text: hoverText },
  });
}, 60_000);
afterAll(async () => {
  expect(await client.close()).toBe(0);
});

describe("language server over stdio", () => {
  it("publishes several diagnostics of a bad spec, with 0-based ranges", async () => {
    client.notify("textDocument/didOpen", {
      textDocument: { uri: badUri, languageId: "adapt", version: 1, text: BAD },
    });
    const published = await client.waitFor<PublishedDiagnostics>(
      "textDocument/publishDiagnostics",
      (p) => p.uri === badUri,
    );
    const codes = published.diagnostics.map((d) => d.code);
    expect(codes).toEqual(expect.arrayContaining(["ADAPT002", "ADAPT004"]));
    const unterminated = published.diagnostics.find((d) => d.code === "ADAPT002")!;
    expect(unterminated.range).toEqual({ start: { line: 0, character: 6 }, end: { line: 0, character: 19 } });
  });

  it("clears the diagnostics once the spec is fixed", async () => {
    const fixed = 'adapter a = bottleneck(size: 4)\ninsert a after "x"\n';
    client.notify("textDocument/didChange", {
      textDocument: { uri: badUri, version: 2 },
      contentChanges: [{ text: fixed }],
    });
    const published = await client.waitFor<PublishedDiagnostics & { version?: number }>(
      "textDocument/publishDiagnostics",
      (p) => p.uri === badUri && p.version === 2,
    );
    expect(published.diagnostics.filter((d) => !d.code.startsWith("ADAPT1"))).toEqual([]);
  });

  it("shows on a selector how many layers it matches and the parameters it adds", async () => {
    const houlsby = await client.request<Hover>("textDocument/hover", {
      textDocument: { uri: hoverUri },
      position: positionOf(hoverText, '"encoder.layer.*.attention.output', 3),
    });
    // 12 sites of d = 8 with m = 4: 12 * (2*4*8 + 8 + 4) = 912.
    expect(houlsby.contents.value).toMatch(/^matches 12 layers; adds 912 parameters/);
    const lora = await client.request<Hover>("textDocument/hover", {
      textDocument: { uri: hoverUri },
      position: positionOf(hoverText, "{query,value}"),
    });
    // 6 layers x 2 kernels of [8, 8] with r = 2: 12 * 2 * (8 + 8) = 384.
    expect(lora.contents.value).toMatch(/^matches 12 layers; adds 384 parameters/);
    const compiled = await compileText(hoverText, hoverFile, {
      loader: (p) => ({ ok: true, json: readFileSync(join(here, "fixtures", p), "utf8") }),
    });
    const plan = compiled.value.plan!;
    expect(statementSummary(plan, 6).params).toBe(912);
    expect(statementSummary(plan, 7).params).toBe(384);
    const rule = await client.request<Hover>("textDocument/hover", {
      textDocument: { uri: hoverUri },
      position: positionOf(hoverText, "**.LayerNorm"),
    });
    expect(rule.contents.value).toMatch(/^matches 25 layers with 400 base parameters/);
  });

  it("publishes the compiler's model-aware diagnostics, and a warning for a missing model", async () => {
    const uri = pathToFileURL(join(here, "fixtures", "unsaved-model.adapt")).href;
    const text =
      'model "tiny-bert/model.json"\nadapter h = bottleneck(size: 4)\ninsert h after "encoder.layer.*.atention.output.dense"\n';
    client.notify("textDocument/didOpen", { textDocument: { uri, languageId: "adapt", version: 1, text } });
    const published = await client.waitFor<PublishedDiagnostics>(
      "textDocument/publishDiagnostics",
      (p) => p.uri === uri,
    );
    expect(published.diagnostics.map((d) => d.code)).toEqual(["ADAPT120"]);
    expect(published.diagnostics[0]!.range.start).toEqual({ line: 2, character: 15 });
    expect(published.diagnostics[0]!.message).toContain("encoder.layer.0.attention.output.dense");
    client.notify("textDocument/didChange", {
      textDocument: { uri, version: 2 },
      contentChanges: [{ text: text.replace("tiny-bert", "no-such") }],
    });
    const missing = await client.waitFor<PublishedDiagnostics & { version?: number }>(
      "textDocument/publishDiagnostics",
      (p) => p.uri === uri && p.version === 2,
    );
    expect(missing.diagnostics.map((d) => [d.code, (d as { severity?: number }).severity])).toEqual([["ADAPT125", 2]]);
  });

  it("shows an adapter's resolved arguments on its name", async () => {
    const hover = await client.request<Hover>("textDocument/hover", {
      textDocument: { uri: hoverUri },
      position: positionOf(hoverText, "insert houlsby", 8),
    });
    expect(hover.contents.value).toContain("`bottleneck`(size: 4, activation: gelu, init: near_identity(std: 0.01))");
    expect(hover.range).toEqual({
      start: positionOf(hoverText, "houlsby after"),
      end: positionOf(hoverText, "houlsby after", 7),
    });
  });

  it("completes adapter kinds, argument keys, statement keywords and layer paths", async () => {
    const uri = pathToFileURL(join(here, "fixtures", "typing.adapt")).href;
    const text =
      'model "tiny-bert/model.json"\nadapter h = \nadapter g = bottleneck(size: 4, \ninsert g after "encoder.layer.0.attention.\n';
    client.notify("textDocument/didOpen", { textDocument: { uri, languageId: "adapt", version: 1, text } });
    const labels = async (line: number, character: number) =>
      (
        (await client.request("textDocument/completion", { textDocument: { uri }, position: { line, character } })) as {
          label: string;
        }[]
      ).map((i) => i.label);
    expect(await labels(1, 12)).toEqual([...ADAPTER_KINDS]);
    expect(await labels(2, 32)).toEqual(["activation", "init"]);
    expect(await labels(4, 0)).toEqual(expect.arrayContaining(["model", "adapter", "insert", "apply", "plan"]));
    const model = await client.request<Hover>("textDocument/hover", {
      textDocument: { uri: hoverUri },
      position: { line: 0, character: 9 },
    });
    expect(model.contents.value).toMatch(/: 136 layers, 10,872 parameters; the surgery adds 1,296 parameters$/);
    expect(await labels(3, 43)).toEqual(
      expect.arrayContaining(["encoder.layer.0.attention.output.dense", "encoder.layer.0.attention.self.query"]),
    );
  });

  it("completes plan keys and their values inside a plan block", async () => {
    const uri = pathToFileURL(join(here, "fixtures", "plan.adapt")).href;
    const text = 'plan {\n  epochs 3\n  \n  optimizer \n  data train: "t.jsonl", \n}\n';
    client.notify("textDocument/didOpen", { textDocument: { uri, languageId: "adapt", version: 1, text } });
    const labels = async (line: number, character: number) =>
      (
        (await client.request("textDocument/completion", { textDocument: { uri }, position: { line, character } })) as {
          label: string;
        }[]
      ).map((i) => i.label);
    expect(await labels(2, 2)).toEqual(
      expect.arrayContaining(["data", "optimizer", "epochs", "max_length", "early_stopping"]),
    );
    expect(await labels(2, 2)).not.toContain("adapter");
    expect(await labels(3, 12)).toEqual(["adam", "adamw", "sgd"]);
    expect(await labels(4, 25)).toEqual(["validation", "test", "format", "text", "text_pair", "label"]);
  });

  it("goes to an adapter's declaration and formats the document", async () => {
    const def = await client.request("textDocument/definition", {
      textDocument: { uri: hoverUri },
      position: positionOf(hoverText, "lora2   to", 2),
    });
    expect(def).toEqual({
      uri: hoverUri,
      range: { start: { line: 3, character: 8 }, end: { line: 3, character: 13 } },
    });
    const edits = await client.request<{ newText: string }[]>("textDocument/formatting", {
      textDocument: { uri: hoverUri },
      options: { tabSize: 2, insertSpaces: true },
    });
    const formatted = edits.length === 0 ? hoverText : edits[0]!.newText;
    expect(formatted).toContain("insert houlsby after");
    expect(formatted.split("\n").length).toBeGreaterThan(5);
  });
});
