/**
 * The VS Code extension: starts the `.adapt` language server for `adapt` documents: the bundled one
 * (out/server.cjs), or the script that the `adapt.server.path` setting names. Highlighting comes from the
 * contributed TextMate grammars (`.adapt` files, and ```` ```adapt ```` fences in Markdown). Changes to
 * JSON files (the specs' models) are sent to the server as `workspace/didChangeWatchedFiles`.
 */
import { isAbsolute, join } from "node:path";
import { workspace, type ExtensionContext } from "vscode";
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

/**
 * V8 flags of the server process: a 64 MiB young generation (semi-space) instead of 16. One analysis of a
 * 2,000-line spec allocates about 25 MB that dies with it; with the default the collector ran during
 * every analysis and copied what was still live (mean CPU per analysis 50 ms, with the flag 34.5 ms, for
 * about 60 MB more resident memory; `bench/lsp-analysis.ts`).
 */
export const SERVER_EXEC_ARGV = ["--max-semi-space-size=64"];

/** The server script: `adapt.server.path` (relative to the first workspace folder) or the bundled one. */
function serverModule(context: ExtensionContext): string {
  const configured = workspace.getConfiguration("adapt").get<string>("server.path", "").trim();
  if (configured === "") return context.asAbsolutePath("out/server.cjs");
  const folder = workspace.workspaceFolders?.[0]?.uri.fsPath;
  return isAbsolute(configured) || folder === undefined ? configured : join(folder, configured);
}

async function start(context: ExtensionContext): Promise<void> {
  const module = serverModule(context);
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { execArgv: SERVER_EXEC_ARGV } },
    debug: {
      module,
      transport: TransportKind.ipc,
      options: { execArgv: [...SERVER_EXEC_ARGV, "--nolazy", "--inspect=6009"] },
    },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "adapt" },
      { scheme: "untitled", language: "adapt" },
    ],
    synchronize: { fileEvents: workspace.createFileSystemWatcher("**/*.json") },
  };
  client = new LanguageClient("adapt", "adapt language server", serverOptions, clientOptions);
  await client.start();
}

/** Called by VS Code when an `adapt` document opens; restarts the server when `adapt.server.path` changes. */
export async function activate(context: ExtensionContext): Promise<void> {
  context.subscriptions.push(
    workspace.onDidChangeConfiguration(async (e) => {
      if (!e.affectsConfiguration("adapt.server.path")) return;
      await client?.stop();
      await start(context);
    }),
  );
  await start(context);
}

/** Called by VS Code on shutdown. */
export async function deactivate(): Promise<void> {
  await client?.stop();
}
