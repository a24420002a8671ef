/**
 * The one entry of `adapt export`: an artifact read from its folder, converted to a peer's format and
 * written atomically (nothing is written when the conversion has errors).
 */
import type { StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import type { ReadArtifact } from "../artifact/files.ts";
import { exportAdapters } from "./export-adapters.ts";
import { exportPeft } from "./export-peft.ts";
import { writePeerFolder } from "./peer.ts";

/** The peer formats. */
export type PeerFormat = "peft" | "adapters";

/** Converts `artifact` to `format` and writes it into `outDir`; the value is the file names written. */
export function exportPeerFolder(
  format: PeerFormat,
  artifact: ReadArtifact,
  outDir: string,
  baseModel: string,
): StageResult<string[] | null> {
  const options = { baseModel, file: artifact.files.meta };
  const tensors = artifact.tensors;
  const converted =
    format === "peft" ? exportPeft(artifact.meta, tensors, options) : exportAdapters(artifact.meta, tensors, options);
  if (converted.value === null) return { value: null, diagnostics: converted.diagnostics };
  const written = writePeerFolder(outDir, converted.value);
  return { value: written.value, diagnostics: [...converted.diagnostics, ...written.diagnostics] };
}
