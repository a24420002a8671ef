import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { LspClient } from "./lsp-client.ts";
import { ModelWatcher } from "../watch.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const tinyBert = join(here, "fixtures", "tiny-bert", "model.json");
const SPEC =
  'model "model/model.json"\nadapter h = bottleneck(size: 4)\ninsert h after "encoder.layer.*.atention.output.dense"\n';

interface Published {
  uri: string;
  diagnostics: { code: string; message: string; severity?: number }[];
}
const codes = (p: Published) => p.diagnostics.map((d) => d.code);

/** Writes a file the way editors and `adapt` do: a temp file, then a rename over the old one. */
function writeByRename(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

let client: LspClient;
let dir = "";
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "adapt-watch-"));
  client = new LspClient(process.execPath, [join(root, "editors", "server", "main.js"), "--stdio"], dir);
  await client.request("initialize", { processId: process.pid, rootUri: pathToFileURL(dir).href, capabilities: {} });
  client.notify("initialized", {});
}, 60_000);
afterAll(async () => {
  expect(await client.close()).toBe(0);
  rmSync(dir, { recursive: true, force: true });
});

describe("the language server follows the spec's model file on disk", () => {
  it("analyses again, without an edit, when the model file appears, changes or breaks", async () => {
    const folder = join(dir, "a");
    mkdirSync(join(folder, "model"), { recursive: true });
    const uri = pathToFileURL(join(folder, "spec.adapt")).href;
    const mine = (test: (p: Published) => boolean) => (p: Published) => p.uri === uri && test(p);
    client.notify("textDocument/didOpen", { textDocument: { uri, languageId: "adapt", version: 1, text: SPEC } });
    await client.waitFor<Published>(
      "textDocument/publishDiagnostics",
      mine((p) => codes(p).join() === "ADAPT125"),
    );

    copyFileSync(tinyBert, join(folder, "model", "model.json"));
    const found = await client.waitFor<Published>(
      "textDocument/publishDiagnostics",
      mine((p) => codes(p).join() === "ADAPT120"),
    );
    expect(found.diagnostics[0]!.message).toContain("encoder.layer.0.attention.output.dense");

    writeByRename(join(folder, "model", "model.json"), "{ not json");
    await client.waitFor<Published>(
      "textDocument/publishDiagnostics",
      mine((p) => codes(p).join() === "ADAPT126"),
    );
  });

  it("takes the client's workspace/didChangeWatchedFiles for a model folder that did not exist at first", async () => {
    const folder = join(dir, "b");
    mkdirSync(folder);
    const uri = pathToFileURL(join(folder, "spec.adapt")).href;
    const mine = (test: (p: Published) => boolean) => (p: Published) => p.uri === uri && test(p);
    client.notify("textDocument/didOpen", { textDocument: { uri, languageId: "adapt", version: 1, text: SPEC } });
    await client.waitFor<Published>(
      "textDocument/publishDiagnostics",
      mine((p) => codes(p).join() === "ADAPT125"),
    );
    mkdirSync(join(folder, "model"));
    copyFileSync(tinyBert, join(folder, "model", "model.json"));
    const model = pathToFileURL(join(folder, "model", "model.json")).href;
    client.notify("workspace/didChangeWatchedFiles", { changes: [{ uri: model, type: 1 }] });
    await client.waitFor<Published>(
      "textDocument/publishDiagnostics",
      mine((p) => codes(p).join() === "ADAPT120"),
    );
  });

  it("reports an untitled buffer's relative model path as a model that cannot be read", async () => {
    const uri = "untitled:Untitled-1";
    client.notify("textDocument/didOpen", { textDocument: { uri, languageId: "adapt", version: 1, text: SPEC } });
    const p = await client.waitFor<Published>("textDocument/publishDiagnostics", (x) => x.uri === uri);
    expect(p.diagnostics.map((d) => [d.code, d.severity])).toEqual([["ADAPT125", 2]]);
    expect(p.diagnostics[0]!.message).toContain(
      "the model file `model/model.json` cannot be read: the spec is not saved",
    );
    expect(p.diagnostics[0]!.message).toContain("help: save the spec");
  });
});

describe("ModelWatcher", () => {
  it("analyses again only the documents whose model changed, once per burst of events", async () => {
    const seen: string[] = [];
    const w = new ModelWatcher((uri) => seen.push(uri));
    const model = join(dir, "c", "model.json");
    w.track("file:///one.adapt", model);
    w.track("file:///two.adapt", join(dir, "d", "model.json"));
    w.track("untitled:x", "relative/model.json");
    w.changed([model, model, join(dir, "c", "other.json"), "relative/model.json"]);
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toEqual(["file:///one.adapt"]);
    w.untrack("file:///one.adapt");
    w.changed([model]);
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toEqual(["file:///one.adapt"]);
    w.dispose();
  });
});
