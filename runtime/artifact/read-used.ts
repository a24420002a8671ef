/**
 * The one reader of the folder that a `use` statement names, for the compiler's loader (`cli/files.ts`,
 * the language server) and the run (`used.ts`) alike: a folder written by `adapt run` (adapter.json),
 * read and validated as an artifact, or a PyTorch peer's saved adapter (adapter_config.json, PEFT or
 * AdapterHub `adapters`), converted against the spec's model by interchange/peer-folder.ts. No tfjs:
 * `adapt check` loads it.
 */
import { join, resolve } from "node:path";
import type { Diagnostic, StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import type { UsedLoader, UsedModel, UsedSource } from "../../compiler/resolve/used.ts";
import { files } from "../io/files.ts";
import { compilePeer, hasPeerConfig, peerBaseModel, readPeerFolder } from "../interchange/peer-folder.ts";
import { META_NAME, readArtifact, type ReadArtifact } from "./files.ts";

/** Reads and validates the artifact folder `dir` (ADAPT930 unreadable, ADAPT931 malformed, ADAPT936 damaged). */
export function readUsedArtifact(dir: string): StageResult<ReadArtifact | null> {
  return readArtifact(dir);
}

/** Whether `dir` is a peer's folder rather than an artifact: adapter_config.json and no adapter.json. */
export function isPeerFolder(dir: string): boolean {
  return !files().exists(join(dir, META_NAME)) && hasPeerConfig(dir);
}

/** The first error of `diagnostics` as a failed source (its file named when it is not the folder's only file). */
function failure(diagnostics: readonly Diagnostic[], dir: string, fallback: Diagnostic["code"]): UsedSource {
  const d = diagnostics.find((x) => x.severity === "error");
  const more = diagnostics.filter((x) => x.severity === "error").length - 1;
  const file = d?.file !== undefined && d.file.startsWith(dir) ? `\`${d.file.slice(dir.length + 1)}\`: ` : "";
  const reason = `${file}${(d?.message ?? "it cannot be read").replace(/^the adapter[^:]*: /, "")}`;
  return {
    ok: false,
    code: d?.code ?? fallback,
    reason: more > 0 ? `${reason} (and ${more} more)` : reason,
    ...(d?.help !== undefined ? { help: d.help } : {}),
  };
}

function peerSource(dir: string, model: UsedModel): UsedSource {
  const folder = readPeerFolder(dir);
  if (folder.value === null) return failure(folder.diagnostics, dir, "ADAPT959");
  const compiled = compilePeer(
    folder.value,
    model.manifest,
    { written: model.path, path: model.path },
    join(dir, "use.adapt"),
  );
  if (compiled.value === null) return failure(compiled.diagnostics, dir, "ADAPT977");
  return {
    ok: true,
    plan: compiled.value.plan,
    peer: { library: folder.value.library, baseModel: peerBaseModel(folder.value) },
  };
}

/**
 * The compiler's reader of the folders that `use` statements name (the CLI and the language server pass
 * it to the pipeline): relative paths are relative to `baseDir`. An artifact folder goes through
 * {@link readUsedArtifact} and only its validated plan goes to the compiler; a peer's folder is compiled
 * against the spec's model and its plan goes to the compiler (the peer's codes at the `use`).
 */
export function usedArtifactLoader(baseDir: string): UsedLoader {
  return (path, model) => {
    const dir = resolve(baseDir, path);
    if (isPeerFolder(dir)) return peerSource(dir, model);
    const read = readUsedArtifact(dir);
    if (read.value !== null) return { ok: true, plan: read.value.meta.plan };
    const d = read.diagnostics.find((x) => x.severity === "error");
    const code = d?.code === "ADAPT930" || d?.code === "ADAPT936" ? d.code : "ADAPT931";
    return { ok: false, code, reason: (d?.message ?? "it cannot be read").replace(/^the adapter[^:]*: /, "") };
  };
}
