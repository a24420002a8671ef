/**
 * The VS Code extension: starts the bundled `.adapt` language server (out/server.cjs) for `adapt`
 * documents. Highlighting comes from the contributed TextMate grammar.
 */
import type { ExtensionContext } from "vscode";
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

/** Called by VS Code when an `adapt` document opens. */
export async function activate(context: ExtensionContext): Promise<void> {
  const module = context.asAbsolutePath("out/server.cjs");
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ["--nolazy", "--inspect=6009"] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "adapt" },
      { scheme: "untitled", language: "adapt" },
    ],
  };
  client = new LanguageClient("adapt", "adapt language server", serverOptions, clientOptions);
  await client.start();
}

/** Called by VS Code on shutdown. */
export async function deactivate(): Promise<void> {
  await client?.stop();
}
