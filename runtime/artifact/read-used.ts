/**
 * The one reader of an artifact folder that a `use` statement names, for the compiler's loader
 * (`cli/files.ts`) and the run (`used.ts`) alike. Today it reads folders written by `adapt run`; a
 * converter for other adapter folders (PEFT, AdapterHub) goes here. No tfjs: `adapt check` loads it.
 */
import { resolve } from "node:path";
import type { StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import type { UsedLoader } from "../../compiler/resolve/used.ts";
import { readArtifact, type ReadArtifact } from "./files.ts";

/** Reads and validates the artifact folder `dir` (ADAPT930 unreadable, ADAPT931 malformed, ADAPT936 damaged). */
export function readUsedArtifact(dir: string): StageResult<ReadArtifact | null> {
  return readArtifact(dir);
}

/**
 * The compiler's reader of the folders that `use` statements name (the CLI and the language server pass
 * it to the pipeline): relative paths are relative to `baseDir`; the folder goes through
 * {@link readUsedArtifact}, and only its validated plan goes to the compiler.
 */
export function usedArtifactLoader(baseDir: string): UsedLoader {
  return (path) => {
    const read = readUsedArtifact(resolve(baseDir, path));
    if (read.value !== null) return { ok: true, plan: read.value.meta.plan };
    const d = read.diagnostics.find((x) => x.severity === "error");
    const code = d?.code === "ADAPT930" || d?.code === "ADAPT936" ? d.code : "ADAPT931";
    return { ok: false, code, reason: (d?.message ?? "it cannot be read").replace(/^the adapter[^:]*: /, "") };
  };
}
