/**
 * The files of the page's workspace: the bundled example (fetched lazily: only the spec and model.json
 * at first, the weights, tokenizer and data when the user trains) and the user's own model folder and
 * data files (picked or dropped). Each file keeps its path under the workspace; a problem reading one is
 * a coded diagnostic.
 */
import { diag, FILE_START, type Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import { WORKSPACE, type WorkspaceFile } from "./protocol.ts";

/** Where a file's bytes come from. */
type Source = { readonly url: string } | { readonly file: File } | { readonly bytes: Uint8Array };

/** One file of the workspace: its path relative to the workspace and its source. */
export interface Entry {
  readonly path: string;
  readonly source: Source;
  readonly size: number | null;
}

/** The JSON files the checker gets (model.json and friends), at most this large each. */
const CHECKER_LIMIT = 16 * 2 ** 20;

/** The page's files. */
export class Workspace {
  private readonly entries = new Map<string, Entry>();

  /** Adds or replaces a file. */
  add(path: string, source: Source, size: number | null): void {
    this.entries.set(path.replace(/^\/+/, ""), { path: path.replace(/^\/+/, ""), source, size });
  }

  /** Removes every file under `folder`. */
  removeFolder(folder: string): void {
    for (const p of [...this.entries.keys()]) if (p.startsWith(`${folder}/`)) this.entries.delete(p);
  }

  /** All files, by path. */
  list(): Entry[] {
    return [...this.entries.values()].sort((a, b) => a.path.localeCompare(b.path));
  }

  /** The bytes of one file, or a coded diagnostic naming it. */
  async bytes(e: Entry): Promise<Uint8Array | Diagnostic> {
    try {
      if ("bytes" in e.source) return e.source.bytes;
      if ("file" in e.source) return new Uint8Array(await e.source.file.arrayBuffer());
      const res = await fetch(e.source.url);
      if (!res.ok) throw new Error(`the server answered ${res.status} ${res.statusText}`);
      return new Uint8Array(await res.arrayBuffer());
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      const help =
        "file" in e.source
          ? "pick or drop it again (a picked file that changed on disk must be picked anew)"
          : undefined;
      return {
        ...diag("ADAPT991", FILE_START, `the file \`${e.path}\` cannot be read: ${why}`, { help }),
        file: e.path,
      };
    }
  }

  /** The texts of the `.json` files for the checker, by absolute workspace path; problems as diagnostics. */
  async checkerFiles(): Promise<{ files: Record<string, string>; problems: Diagnostic[] }> {
    const files: Record<string, string> = {};
    const problems: Diagnostic[] = [];
    for (const e of this.list()) {
      if (!/(^|\/)[^/]*model[^/]*\.json$/.test(e.path) || (e.size ?? 0) > CHECKER_LIMIT) continue;
      const b = await this.bytes(e);
      if (b instanceof Uint8Array) files[`${WORKSPACE}/${e.path}`] = new TextDecoder().decode(b);
      else problems.push(b);
    }
    return { files, problems };
  }

  /** Every file's bytes for the trainer, or the diagnostics of those that could not be read. */
  async trainerFiles(
    onProgress: (done: number, total: number) => void,
  ): Promise<{ files: WorkspaceFile[]; problems: Diagnostic[] }> {
    const list = this.list();
    const files: WorkspaceFile[] = [];
    const problems: Diagnostic[] = [];
    for (const [i, e] of list.entries()) {
      onProgress(i, list.length);
      const b = await this.bytes(e);
      if (b instanceof Uint8Array) files.push({ path: `${WORKSPACE}/${e.path}`, bytes: b.slice().buffer });
      else problems.push(b);
    }
    onProgress(list.length, list.length);
    return { files, problems };
  }
}

/** A dropped or picked file with its path relative to what was chosen (folder name first). */
export interface Picked {
  readonly path: string;
  readonly file: File;
}

/** The files of a picker's selection, with their folder paths (`webkitRelativePath`) when it picked a folder. */
export function pickedFiles(list: FileList): Picked[] {
  return [...list].map((file) => ({ path: file.webkitRelativePath || file.name, file }));
}

/** The files of a drop, folders walked recursively. */
export async function droppedFiles(items: DataTransferItemList): Promise<Picked[]> {
  const roots = [...items].map((i) => i.webkitGetAsEntry()).filter((e): e is FileSystemEntry => e !== null);
  const out: Picked[] = [];
  const walk = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((ok, bad) => (entry as FileSystemFileEntry).file(ok, bad));
      out.push({ path: `${prefix}${entry.name}`, file });
      return;
    }
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((ok, bad) => reader.readEntries(ok, bad));
      if (batch.length === 0) break;
      for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
    }
  };
  for (const root of roots) await walk(root, "");
  return out;
}

/**
 * Adds picked or dropped files: a folder keeps its name as its path, single files go to the workspace's
 * top. Returns the model.json paths added, and ADAPT992 for a folder with no model.json at all when the
 * user meant a model (`expectModel`).
 */
export function addPicked(
  ws: Workspace,
  picked: readonly Picked[],
  expectModel: boolean,
): { models: string[]; problems: Diagnostic[] } {
  const folders = new Set(picked.filter((p) => p.path.includes("/")).map((p) => p.path.split("/")[0]!));
  for (const f of folders) ws.removeFolder(f);
  for (const p of picked) ws.add(p.path, { file: p.file }, p.file.size);
  const models = picked
    .map((p) => p.path)
    .filter((p) => /(^|\/)model\.json$/.test(p))
    .sort((a, b) => a.split("/").length - b.split("/").length);
  const problems: Diagnostic[] = [];
  if (expectModel && models.length === 0) {
    const names = picked
      .slice(0, 6)
      .map((p) => `\`${p.path}\``)
      .join(", ");
    const help =
      "pick the folder that `adapt import hf` or tfjs's converter wrote: model.json with its weights files beside it";
    problems.push({
      ...diag("ADAPT992", FILE_START, `the picked files have no model.json (${names || "none"})`, { help }),
      file: [...folders][0] ?? "",
    });
  }
  return { models, problems };
}
