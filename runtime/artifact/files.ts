/**
 * Adapter artifacts on disk: `adapter.safetensors` and `adapter.json` in one folder, each written
 * atomically (temp file, then rename).
 */
import { upgradePlan } from "../../compiler/ir/upgrade.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { diag, FILE_START, type StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import { atomicWrite } from "../io/atomic.ts";
import { ARTIFACT_FORMAT, type Artifact, type ArtifactMeta } from "./artifact.ts";

/** The weights file of an artifact folder. */
export const WEIGHTS_NAME = "adapter.safetensors";
/** The description file of an artifact folder. */
export const META_NAME = "adapter.json";

/** Writes `artifact` into `dir`; returns the bytes written per file, or a coded diagnostic. */
export function writeArtifact(
  dir: string,
  artifact: Artifact,
): StageResult<{ weightsBytes: number; metaBytes: number } | null> {
  try {
    const meta = `${JSON.stringify(artifact.meta, null, 1)}\n`;
    atomicWrite(join(dir, WEIGHTS_NAME), artifact.safetensors, { mkdir: true });
    atomicWrite(join(dir, META_NAME), meta, { mkdir: true });
    return {
      value: { weightsBytes: artifact.safetensors.byteLength, metaBytes: Buffer.byteLength(meta) },
      diagnostics: [],
    };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return {
      value: null,
      diagnostics: [{ ...diag("ADAPT935", FILE_START, `the adapter cannot be written: ${message}`), file: dir }],
    };
  }
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null;

function isMeta(x: unknown): x is ArtifactMeta {
  const m = x as ArtifactMeta;
  return (
    typeof m === "object" &&
    m !== null &&
    m.format === ARTIFACT_FORMAT &&
    m.version === 1 &&
    typeof m.plan === "object" &&
    typeof m.base === "object" &&
    Array.isArray(m.base.manifest) &&
    Array.isArray(m.weights)
  );
}

/** Reads the artifact in `dir`, or a coded diagnostic (ADAPT930 unreadable, ADAPT931 malformed). */
export function readArtifact(dir: string): StageResult<Artifact | null> {
  let safetensors: Uint8Array;
  let text: string;
  try {
    safetensors = new Uint8Array(readFileSync(join(dir, WEIGHTS_NAME)));
    text = readFileSync(join(dir, META_NAME), "utf8");
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return {
      value: null,
      diagnostics: [{ ...diag("ADAPT930", FILE_START, `the adapter cannot be read: ${message}`), file: dir }],
    };
  }
  let meta: unknown;
  try {
    meta = JSON.parse(text);
    if (isObject(meta)) meta = { ...meta, plan: upgradePlan(meta["plan"]) };
  } catch {
    meta = null;
  }
  if (!isMeta(meta)) {
    return {
      value: null,
      diagnostics: [
        {
          ...diag("ADAPT931", FILE_START, `${META_NAME} is not an adapt adapter description`),
          file: join(dir, META_NAME),
        },
      ],
    };
  }
  return { value: { safetensors, meta }, diagnostics: [] };
}
