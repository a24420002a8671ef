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
import { Debouncer, tooLargeForLive } from "./schedule.ts";
import { completions } from "./completion.ts";
import { formatEdits, toLspDiagnostic } from "./convert.ts";
import { definitionSpan } from "./definition.ts";
import { hoverText } from "./hover.ts";
import { fromLspPosition, toLspRange } from "./positions.ts";
import { watchModelFiles } from "./watch.ts";

/**
 * Analyses a document unless it is too large to analyse live; then only the warning that says so
 * (hover, completion and definition then answer from an empty spec, at once).
 */
function analyzeBounded(uri: string, text: string, onError: (e: unknown) => void): DocumentState {
  const big = tooLargeForLive(text, uri);
  if (big === null) return analyzeDocument(uri, text, onError);
  const empty = analyzeDocument(uri, "", onError);
  return { ...empty, text, diagnostics: [big] };
}

/** Starts the server on this process's stdio (or the transport named on the command line). */
export function startServer(): void {
  const connection = createConnection(ProposedFeatures.all);
  const documents = new TextDocuments(TextDocument);
  const states = new Map<string, DocumentState>();

  const send = (uri: string, s: DocumentState, version: number): void =>
    void connection.sendDiagnostics({ uri, version, diagnostics: s.diagnostics.map(toLspDiagnostic) });
  /** The document's analysis, made now when stale; a change still waiting for its quiet time is published. */
  const state = (uri: string): DocumentState | null => {
    const doc = documents.get(uri);
    if (doc === undefined) return null;
    const known = states.get(uri);
    if (known !== undefined && known.text === doc.getText()) return known;
    const fresh = analyzeBounded(uri, doc.getText(), (e) =>
      connection.console.error(`adapt: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
    );
    states.set(uri, fresh);
    models.track(uri, fresh.model?.path ?? null);
    if (debouncer.pending(uri)) {
      debouncer.cancel(uri);
      send(uri, fresh, doc.version);
    }
    return fresh;
  };
  const publish = (uri: string): void => {
    const s = state(uri);
    const doc = documents.get(uri);
    if (s !== null && doc !== undefined) send(uri, s, doc.version);
  };
  const debouncer = new Debouncer(publish);
  const models = watchModelFiles(connection, (uri) => {
    states.delete(uri);
    publish(uri);
  });

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

  documents.onDidChangeContent(({ document }) => debouncer.changed(document.uri));
  documents.onDidClose(({ document }) => {
    debouncer.cancel(document.uri);
    states.delete(document.uri);
    models.untrack(document.uri);
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
