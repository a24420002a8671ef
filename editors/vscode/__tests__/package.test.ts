import { describe, it, expect } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
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
          "extension/out/extension.cjs",
          "extension/out/server.cjs",
        ]),
      );
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
