/**
 * The part of `adapt check` that needs the model: once the model-free checks pass and a model is
 * named, the spec is also resolved against it. Until the compiler's resolve stage is wired in, this
 * adds nothing.
 */
import type { Analysis } from "../../compiler/frontend/analyze.ts";
import type { Diagnostic, StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import type { Io } from "../command.ts";

/** Diagnostics from resolving the checked spec against its model (none yet). */
export async function modelDiagnostics(
  analysis: StageResult<Analysis>,
  text: string,
  file: string,
  model: string | undefined,
  io: Io,
): Promise<Diagnostic[]> {
  void analysis;
  void text;
  void file;
  void model;
  void io;
  return [];
}
