/**
 * The `.adapt` language server (LSP over stdio): diagnostics as you type, hover, completion, go to
 * definition and formatting, all from the compiler. Start it with `node editors/server/main.js --stdio`
 * (or the bundled `dist/server.js` in the VS Code extension).
 */
import {
  createConnection,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  MarkupKind,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { analyzeDocument, type DocumentState } from "./analysis.ts";
import { completions } from "./completion.ts";
import { formatEdits, toLspDiagnostic } from "./convert.ts";
import { definitionSpan } from "./definition.ts";
import { hoverText } from "./hover.ts";
import { fromLspPosition, toLspRange } from "./positions.ts";

/** Starts the server on this process's stdio (or the transport named on the command line). */
export function startServer(): void {
  const connection = createConnection(ProposedFeatures.all);
  const documents = new TextDocuments(TextDocument);
  const states = new Map<string, DocumentState>();

  const state = (uri: string): DocumentState | null => {
    const doc = documents.get(uri);
    if (doc === undefined) return null;
    const known = states.get(uri);
    if (known !== undefined && known.text === doc.getText()) return known;
    const fresh = analyzeDocument(uri, doc.getText(), (e) =>
      connection.console.error(`adapt: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
    );
    states.set(uri, fresh);
    return fresh;
  };

  connection.onInitialize(() => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      completionProvider: { triggerCharacters: ['"', ".", "(", ",", " ", ":"] },
      definitionProvider: true,
      documentFormattingProvider: true,
    },
    serverInfo: { name: "adapt-language-server", version: "0.1.0" },
  }));

  documents.onDidChangeContent(({ document }) => {
    const s = state(document.uri);
    if (s !== null)
      void connection.sendDiagnostics({
        uri: document.uri,
        version: document.version,
        diagnostics: s.diagnostics.map(toLspDiagnostic),
      });
  });
  documents.onDidClose(({ document }) => {
    states.delete(document.uri);
    void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
  });

  connection.onHover(({ textDocument, position }) => {
    const s = state(textDocument.uri);
    const hover = s && hoverText(s, fromLspPosition(s.text, position).offset);
    return hover ? { contents: { kind: MarkupKind.Markdown, value: hover.text }, range: toLspRange(hover.span) } : null;
  });
  connection.onCompletion(({ textDocument, position }) => {
    const s = state(textDocument.uri);
    const doc = documents.get(textDocument.uri);
    return s && doc ? completions(s, fromLspPosition(s.text, position).offset, (o) => doc.positionAt(o)) : [];
  });
  connection.onDefinition(({ textDocument, position }) => {
    const s = state(textDocument.uri);
    const span = s && definitionSpan(s.analysis.spec, fromLspPosition(s.text, position).offset);
    return span ? { uri: textDocument.uri, range: toLspRange(span) } : null;
  });
  connection.onDocumentFormatting(({ textDocument }) => {
    const doc = documents.get(textDocument.uri);
    return doc ? formatEdits(doc.getText()) : [];
  });

  documents.listen(connection);
  connection.listen();
}
