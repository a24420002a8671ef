/**
 * The one validation of an adapter artifact, whether it was just read from disk or built in memory:
 * `adapter.json` against its schema (own properties only, no prototype keys), the stored IR against
 * `specs/plan.schema.json` and the plan's invariants, the weights' sha256 against the checksum recorded
 * at save time (ADAPT936; ADAPT937 warns about artifacts written before checksums), and the
 * safetensors bytes (ADAPT931 for anything malformed). Every diagnostic names the file concerned.
 */
import { Ajv, type ValidateFunction } from "ajv";
import { diag, FILE_START, type Diagnostic, type StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import { planInvariantProblems } from "../../compiler/ir/invariants.ts";
import { upgradePlan } from "../../compiler/ir/upgrade.ts";
import { sha256 } from "../../compiler/lower/sha256.ts";
import { validatePlan } from "../../compiler/ir/schema.ts";
import { checkTree } from "../../compiler/model/safe-json.ts";
import type { ArtifactMeta } from "./artifact.ts";
import { decodeSafetensors, SafetensorsError, type F32Tensor } from "./safetensors.ts";

/** The format tag in `adapter.json` and the safetensors metadata. */
export const ARTIFACT_FORMAT = "adapt-adapter";

/** The file names used in diagnostics. */
export interface ArtifactFiles {
  readonly meta: string;
  readonly weights: string;
}

/** A validated artifact: its description and its decoded weights. */
export interface ValidArtifact {
  readonly meta: ArtifactMeta;
  readonly tensors: Map<string, F32Tensor>;
}

const hex = { type: "string", pattern: "^[0-9a-f]{64}$" };

/** The schema of `adapter.json` (the stored plan is checked against the plan schema separately). */
export const META_SCHEMA = {
  type: "object",
  required: ["format", "version", "spec", "plan", "base", "weights", "seed"],
  additionalProperties: false,
  properties: {
    format: { const: ARTIFACT_FORMAT },
    version: { enum: [1, 2] },
    spec: {
      type: "object",
      required: ["file", "text"],
      additionalProperties: false,
      properties: { file: { type: "string" }, text: { type: "string" } },
    },
    plan: { type: "object" },
    base: {
      type: "object",
      required: ["structure", "values", "manifest"],
      additionalProperties: false,
      properties: {
        structure: hex,
        values: hex,
        manifest: {
          type: "array",
          items: {
            type: "array",
            minItems: 3,
            maxItems: 3,
            items: [
              { type: "string" },
              { type: "array", maxItems: 16, items: { type: "integer", minimum: -1 } },
              { type: "string" },
            ],
          },
        },
      },
    },
    weights: { type: "array", items: { type: "string" }, uniqueItems: true },
    seed: { type: "integer" },
    weightsSha256: hex,
  },
  if: { properties: { version: { const: 2 } } },
  then: { required: ["weightsSha256"] },
} as const;

let metaValidator: ValidateFunction | undefined;

type Hasher = { createHash(alg: "sha256"): { update(b: Uint8Array): { digest(enc: "hex"): string } } };

/** Node's crypto when the runtime has it (fast, native); absent in a browser, which imports no Node module. */
const nodeCrypto = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.("node:crypto") as Hasher | undefined;

/**
 * The sha256 (hex) of the weights bytes, as recorded in `adapter.json`: Node's native hash where there is
 * one, else the compiler's (the playground writes artifacts too).
 */
export function weightsChecksum(bytes: Uint8Array): string {
  return nodeCrypto ? nodeCrypto.createHash("sha256").update(bytes).digest("hex") : sha256(bytes);
}

function ajvText(v: ValidateFunction): string {
  const e = v.errors?.[0];
  return e ? `${e.instancePath || "/"} ${e.message ?? "is invalid"}` : "invalid";
}

/** The problems of the description, as sentences (empty when it is a valid artifact description). */
function metaProblems(meta: unknown): string[] {
  const safe = checkTree(meta);
  if (!safe.ok) return [safe.reason];
  metaValidator ??= new Ajv({ allErrors: false, strict: false }).compile(META_SCHEMA);
  if (!metaValidator(meta)) return [`it is not an adapt adapter description: ${ajvText(metaValidator)}`];
  const m = meta as ArtifactMeta;
  const plan = validatePlan(m.plan);
  if (plan.length > 0) return [`its stored plan does not match plan.schema.json: ${plan.slice(0, 3).join("; ")}`];
  if (m.spec.text !== m.plan.spec.text) return ["its spec text differs from the stored plan's"];
  return planInvariantProblems(m.plan).map((p) => `its stored plan is inconsistent: ${p}`);
}

/** `meta` with a plan written before per-kind configs upgraded to the current shape (see ir/upgrade.ts). */
function upgraded(meta: unknown): unknown {
  if (typeof meta !== "object" || meta === null || !Object.hasOwn(meta, "plan")) return meta;
  try {
    return { ...meta, plan: upgradePlan((meta as { plan: unknown }).plan) };
  } catch {
    return meta;
  }
}

/**
 * Validates an artifact's description (`meta`, untrusted JSON) and weights bytes. Returns the typed
 * description and decoded float32 tensors, or null with coded diagnostics naming the file.
 */
export function validateArtifact(
  meta: unknown,
  safetensors: Uint8Array,
  files: ArtifactFiles,
): StageResult<ValidArtifact | null> {
  const fail = (code: "ADAPT931" | "ADAPT936", file: string, message: string): StageResult<null> => ({
    value: null,
    diagnostics: [{ ...diag(code, FILE_START, message), file }],
  });
  const current = upgraded(meta);
  const problems = metaProblems(current);
  if (problems.length > 0)
    return fail("ADAPT931", files.meta, `the adapter description is malformed: ${problems.join("; ")}`);
  const m = current as ArtifactMeta;
  const diagnostics: Diagnostic[] = [];
  const sum = weightsChecksum(safetensors);
  if (m.weightsSha256 === undefined) {
    diagnostics.push({
      ...diag(
        "ADAPT937",
        FILE_START,
        "the adapter was written without a weights checksum, so damaged weights cannot be detected",
        { help: "train it again to record one" },
      ),
      file: files.meta,
    });
  } else if (m.weightsSha256 !== sum) {
    return fail(
      "ADAPT936",
      files.weights,
      `the adapter weights do not match the checksum recorded in ${files.meta} (sha256 ${sum.slice(0, 12)}…, recorded ${m.weightsSha256.slice(0, 12)}…): the file was changed or damaged`,
    );
  }
  let tensors: Map<string, F32Tensor>;
  try {
    tensors = decodeSafetensors(safetensors).tensors;
  } catch (e) {
    if (!(e instanceof SafetensorsError)) throw e;
    return fail("ADAPT931", files.weights, `the adapter weights are malformed: ${e.message}`);
  }
  const listed = new Set(m.weights);
  const stray = [...tensors.keys()].find((n) => !listed.has(n)) ?? m.weights.find((n) => !tensors.has(n));
  if (stray !== undefined)
    return fail("ADAPT931", files.weights, `weight \`${stray}\` is in only one of ${files.meta} and the weights file`);
  return { value: { meta: m, tensors }, diagnostics };
}
