/**
 * The spec's model as the server sees it: the `model "..."` file read from disk (relative to the spec's
 * folder), turned into a manifest by the compiler, and cached by path, size and modification time. The
 * server hands it to the compile pipeline through `modelLoader`.
 */
import { statSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import type * as A from "../../grammar/ast.ts";
import type { ModelSource } from "../../compiler/compile.ts";
import { readManifest } from "../../compiler/model/manifest.ts";
import type { ModelManifest } from "../../compiler/model/types.ts";
import { policy, readText } from "../../runtime/io/read-file.ts";

/** The model the pipeline used, for hovers and completion. */
export interface LoadedModel {
  /** The path as written in the spec (or given), and as resolved against the spec's folder. */
  readonly given: string;
  readonly path: string;
  /** Null when the file is missing or malformed (the pipeline reported why). */
  readonly manifest: ModelManifest | null;
}

const cache = new Map<
  string,
  { readonly stamp: string; readonly text: string; readonly manifest: ModelManifest | null }
>();

/** The `model` statement of a spec, if any. */
export function modelStatement(spec: A.Spec): A.ModelStmt | null {
  return spec.statements.find((s): s is A.ModelStmt => s.kind === "Model") ?? null;
}

/**
 * A synchronous model loader for the pipeline that records what it loaded in `seen`. A missing file is
 * a warning (the CLI's `--model` may supply the model), not an error; an unsaved document can only name
 * a model by an absolute path.
 */
export function modelLoader(specFile: string | null, seen: (m: LoadedModel) => void): (given: string) => ModelSource {
  return (given) => {
    if (specFile === null && !isAbsolute(given))
      return {
        ok: false,
        reason: "the spec is not saved, so a relative path has no folder to start from",
        severity: "warning",
        help: "save the spec beside its model, or write the model's absolute path",
      };
    const path = isAbsolute(given) ? given : resolve(dirname(specFile!), given);
    let stamp: string;
    try {
      const st = statSync(path);
      if (!st.isFile()) throw new Error("not a file");
      stamp = `${st.size}:${st.mtimeMs}`;
    } catch {
      seen({ given, path, manifest: null });
      return {
        ok: false,
        reason: "it was not found, so selectors are not matched against a model",
        severity: "warning",
      };
    }
    let entry = cache.get(path);
    if (entry === undefined || entry.stamp !== stamp) {
      const read = readText(path, policy("modelJson"));
      if (!read.ok) return { ok: false, reason: read.reason };
      entry = { stamp, text: read.text, manifest: readManifest(read.text, given).value };
      cache.set(path, entry);
    }
    seen({ given, path, manifest: entry.manifest });
    return entry.manifest !== null ? { ok: true, manifest: entry.manifest } : { ok: true, json: entry.text };
  };
}
