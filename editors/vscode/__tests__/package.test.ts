import { describe, it, expect } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { inflateRawSync } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { packageExtension } from "../build.ts";
import { LspClient } from "../../server/__tests__/lsp-client.ts";

const here = dirname(fileURLToPath(import.meta.url));

/** The file names in a zip archive, read from its central directory. */
function zipEntries(zip: Buffer): string[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const nameLength = zip.readUInt16LE(at + 28);
    names.push(zip.subarray(at + 46, at + 46 + nameLength).toString("utf8"));
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return names;
}

/** The text of the file `name` in a zip archive (stored or deflated). */
function zipText(zip: Buffer, name: string): string {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < zip.readUInt16LE(eocd + 10); i++) {
    const nameLength = zip.readUInt16LE(at + 28);
    if (zip.subarray(at + 46, at + 46 + nameLength).toString("utf8") === name) {
      const local = zip.readUInt32LE(at + 42);
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + zip.readUInt32LE(at + 20));
      return (zip.readUInt16LE(at + 10) === 8 ? inflateRawSync(data) : data).toString("utf8");
    }
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  throw new Error(`${name} is not in the archive`);
}

describe("the extension's files", () => {
  it("carry the repository's licence", () => {
    expect(readFileSync(join(here, "..", "LICENSE"), "utf8")).toBe(
      readFileSync(join(here, "..", "..", "..", "LICENSE"), "utf8"),
    );
  });

  it("declare the server path and trace settings that the client reads", () => {
    const manifest = JSON.parse(readFileSync(join(here, "..", "package.json"), "utf8")) as {
      contributes: { configuration: { properties: Record<string, { default: unknown }> } };
    };
    expect(Object.keys(manifest.contributes.configuration.properties).sort()).toEqual([
      "adapt.server.path",
      "adapt.trace.server",
    ]);
    const client = readFileSync(join(here, "..", "src", "extension.ts"), "utf8");
    expect(client).toContain('getConfiguration("adapt").get<string>("server.path"');
    expect(client).toContain('new LanguageClient("adapt",');
    expect(client).toContain("run: { module, transport: TransportKind.ipc, options: { execArgv: SERVER_EXEC_ARGV } }");
    expect(client).toContain('SERVER_EXEC_ARGV = ["--max-semi-space-size=64"]');
  });
});

describe("npm run package:vscode", () => {
  it("builds an installable .vsix whose bundled server answers LSP without tsx", async () => {
    const out = mkdtempSync(join(tmpdir(), "adapt-vsix-"));
    try {
      const vsix = await packageExtension(out);
      const entries = zipEntries(readFileSync(vsix));
      expect(entries).toEqual(
        expect.arrayContaining([
          "extension.vsixmanifest",
          "extension/package.json",
          "extension/language-configuration.json",
          "extension/syntaxes/adapt.tmLanguage.json",
          "extension/syntaxes/adapt.markdown.tmLanguage.json",
          "extension/out/extension.cjs",
          "extension/out/server.cjs",
          "extension/LICENSE.txt",
          "extension/changelog.md",
          "extension/images/icon.png",
          "extension/images/screenshot.png",
        ]),
      );
      const readme = zipText(readFileSync(vsix), "extension/readme.md");
      expect(readme).toContain("](https://github.com/adapt-dsl/adapt/raw/HEAD/editors/vscode/images/screenshot.png)");
      expect(entries.some((e) => e.includes("__tests__") || e.includes("/src/") || e.includes("node_modules"))).toBe(
        false,
      );

      const client = new LspClient(process.execPath, [join(here, "..", "out", "server.cjs"), "--stdio"], out);
      await client.request("initialize", { processId: process.pid, rootUri: null, capabilities: {} });
      client.notify("initialized", {});
      const uri = pathToFileURL(join(out, "x.adapt")).href;
      client.notify("textDocument/didOpen", {
        textDocument: { uri, languageId: "adapt", version: 1, text: "adaptr x = lora()\n" },
      });
      const published = await client.waitFor<{ diagnostics: { code: string; message: string }[] }>(
        "textDocument/publishDiagnostics",
      );
      expect(published.diagnostics.map((d) => d.code)).toEqual(["ADAPT003"]);
      expect(published.diagnostics[0]!.message).toContain("adapter");
      expect(await client.close()).toBe(0);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});
