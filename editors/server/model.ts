/**
 * The spec's model as the server sees it: the `model "..."` file read from disk (relative to the spec's
 * folder), turned into a manifest by the compiler, and cached by path, size and modification time.
 */
import { statSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import type * as A from "../../grammar/ast.ts";
import { diag, type Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import { readManifest } from "../../compiler/model/manifest.ts";
import type { ModelManifest } from "../../compiler/model/types.ts";
import { policy, readText } from "../../runtime/io/read-file.ts";

/** A model file that exists, with its manifest (null when it is malformed) and its problems. */
export interface LoadedModel {
  /** The path as written in the spec, and as resolved against the spec's folder. */
  readonly given: string;
  readonly path: string;
  readonly statement: A.ModelStmt;
  readonly manifest: ModelManifest | null;
  /** Problems of the model file, placed on the `model` statement's path. */
  readonly diagnostics: readonly Diagnostic[];
}

const cache = new Map<
  string,
  { readonly stamp: string; readonly manifest: ModelManifest | null; readonly diagnostics: readonly Diagnostic[] }
>();

/** The `model` statement of a spec, if any. */
export function modelStatement(spec: A.Spec): A.ModelStmt | null {
  return spec.statements.find((s): s is A.ModelStmt => s.kind === "Model") ?? null;
}

/**
 * Loads the model a spec names; null when the spec names none. A missing file gives a warning (the CLI's
 * `--model` may supply the model), not an error; so does a relative path in an unsaved document.
 */
export function loadModel(spec: A.Spec, specFile: string | null): LoadedModel | null {
  const statement = modelStatement(spec);
  if (statement === null || statement.path.value === "") return null;
  const given = statement.path.value;
  if (specFile === null && !isAbsolute(given)) return unsavedRelativeModel(statement);
  const path = isAbsolute(given) ? given : resolve(dirname(specFile!), given);
  let stamp: string;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error("not a file");
    stamp = `${st.size}:${st.mtimeMs}`;
  } catch {
    const message = `the model file \`${given}\` was not found, so selectors are not matched against a model`;
    const missing = diag("ADAPT125", statement.path.span, message, { severity: "warning" });
    return { given, path, statement, manifest: null, diagnostics: [{ ...missing, file: specFile! }] };
  }
  let entry = cache.get(path);
  if (entry === undefined || entry.stamp !== stamp) {
    const text = readText(path, policy("modelJson"));
    const read = text.ok
      ? readManifest(text.text, given)
      : {
          value: null,
          diagnostics: [
            diag("ADAPT125", statement.path.span, `the model file \`${given}\` cannot be read: ${text.reason}`),
          ],
        };
    entry = { stamp, manifest: read.value, diagnostics: read.diagnostics };
    cache.set(path, entry);
  }
  const diagnostics = entry.diagnostics.map((d) => ({ ...d, span: statement.path.span, file: specFile ?? d.file }));
  return { given, path, statement, manifest: entry.manifest, diagnostics };
}

/**
 * An unsaved (untitled) document's relative model path has no folder to start from: reported as a model
 * file that cannot be read (ADAPT125, as the CLI reports a missing model), with how to fix it.
 */
function unsavedRelativeModel(statement: A.ModelStmt): LoadedModel {
  const given = statement.path.value;
  const message = `the model file \`${given}\` cannot be read: the spec is not saved, so a relative path has no folder to start from`;
  const help = "save the spec beside its model, or write the model's absolute path";
  const d = diag("ADAPT125", statement.path.span, message, { severity: "warning", help });
  return { given, path: given, statement, manifest: null, diagnostics: [d] };
}
