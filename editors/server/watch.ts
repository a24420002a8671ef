/**
 * Keeps open documents in step with the model files they name: when a model file is written, created or
 * removed, every document that uses it is analysed again and its diagnostics published, without waiting
 * for the next edit. Two sources of change events: the server's own watch on each model file's folder
 * (a folder, not the file, so that a write by rename is seen), which works with every client, and the
 * client's `workspace/didChangeWatchedFiles` (the VS Code extension sends them for `**\/*.json`).
 */
import { watch, type FSWatcher } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import type { Connection } from "vscode-languageserver/node";
import { uriToFile } from "./analysis.ts";

/** How long a burst of events on one model file is gathered before documents are analysed again. */
const SETTLE_MS = 50;

/** The model files that open documents use, watched on disk. */
export class ModelWatcher {
  private readonly modelOf = new Map<string, string>();
  private readonly folders = new Map<string, FSWatcher>();
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();

  /** `reanalyze(uri)` is called for each document whose model file changed. */
  constructor(private readonly reanalyze: (uri: string) => void) {}

  /** Records that document `uri` uses the model file `modelPath` (null, or a relative path: none). */
  track(uri: string, modelPath: string | null): void {
    if (modelPath === null || !isAbsolute(modelPath)) this.modelOf.delete(uri);
    else {
      this.modelOf.set(uri, modelPath);
      this.watchFolder(dirname(modelPath));
    }
    this.unwatchUnused();
  }

  /** Forgets a closed document. */
  untrack(uri: string): void {
    this.modelOf.delete(uri);
    this.unwatchUnused();
  }

  /** Reports that the files at `paths` changed; documents that use one are analysed again. */
  changed(paths: readonly string[]): void {
    for (const path of paths) {
      if (![...this.modelOf.values()].includes(path)) continue;
      clearTimeout(this.pending.get(path));
      this.pending.set(
        path,
        setTimeout(() => this.settle(path), SETTLE_MS),
      );
    }
  }

  /** Stops every watch. */
  dispose(): void {
    for (const w of this.folders.values()) w.close();
    for (const t of this.pending.values()) clearTimeout(t);
    this.folders.clear();
    this.pending.clear();
  }

  private settle(path: string): void {
    this.pending.delete(path);
    for (const [uri, model] of this.modelOf) if (model === path) this.reanalyze(uri);
  }

  private watchFolder(folder: string): void {
    if (this.folders.has(folder)) return;
    try {
      const w = watch(folder, { persistent: false }, (_event, name) => {
        const inFolder = [...new Set(this.modelOf.values())].filter((p) => dirname(p) === folder);
        this.changed(name === null ? inFolder : [join(folder, name.toString())]);
      });
      w.on("error", () => this.unwatch(folder));
      this.folders.set(folder, w);
    } catch {
      // A folder that does not exist (yet) is not watched; the client's file events still arrive.
    }
  }

  private unwatchUnused(): void {
    const used = new Set([...this.modelOf.values()].map((p) => dirname(p)));
    for (const folder of this.folders.keys()) if (!used.has(folder)) this.unwatch(folder);
  }

  private unwatch(folder: string): void {
    this.folders.get(folder)?.close();
    this.folders.delete(folder);
  }
}

/** A ModelWatcher that also takes the client's `workspace/didChangeWatchedFiles` from `connection`. */
export function watchModelFiles(connection: Connection, reanalyze: (uri: string) => void): ModelWatcher {
  const watcher = new ModelWatcher(reanalyze);
  connection.onDidChangeWatchedFiles(({ changes }) => {
    watcher.changed(changes.map((c) => uriToFile(c.uri)).filter((p): p is string => p !== null));
  });
  return watcher;
}
