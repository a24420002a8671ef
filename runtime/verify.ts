/**
 * `adapt verify` against the IR: applies the surgery to the base model and checks (1) identity at step 0
 * (exactly 0 deviation when every operation starts as the identity: zeros init, LoRA, IA3; within a
 * stated tolerance for `near_identity`), (2) the trainable weights are exactly the IR's, (3) a tfjs
 * save/load round trip of the adapted model is lossless, (4) the adapter-only artifact round trip onto a
 * fresh base is lossless, (5) merged LoRA equals unmerged within 1e-5. Checks 3-5 run after every
 * trainable weight is moved off its initial value, so a weight that is lost cannot go unnoticed.
 */
import * as tf from "@tensorflow/tfjs";
import { diag, FILE_START, type Diagnostic, type StageResult } from "../compiler/diagnostics/diagnostic.ts";
import type { CompiledPlan } from "../compiler/ir/types.ts";
import { encodeArtifact, loadArtifact } from "./artifact/artifact.ts";
import { fingerprint } from "./artifact/fingerprint.ts";
import { mergeAdapters } from "./artifact/merge.ts";
import type { StartsAs } from "../compiler/kinds/define.ts";
import { kindOf } from "../compiler/kinds/registry.ts";
import { applyFreezing, checkTrainable } from "./freeze.ts";
import { applySurgery } from "./surgery/apply.ts";

/** One check's outcome. */
export interface VerifyCheck {
  name: "identity" | "trainable" | "roundtrip" | "artifact" | "merge";
  ok: boolean;
  /** Largest absolute output difference (checks that compare outputs). */
  deviation: number | null;
  tolerance: number | null;
  detail: string;
}

/** The whole report. */
export interface VerifyReport {
  ok: boolean;
  checks: VerifyCheck[];
  /** The identity check's deviation (the number `verify` prints). */
  maxDeviation: number;
  trainable: number;
  artifactBytes: number;
}

/** Options of {@link verifyPlan}. */
export interface VerifyOptions {
  /** Input batch size (default 2). */
  batch?: number;
  /** Tolerance of near_identity, relative to max(1, largest base output) (default 0.1). */
  nearIdentityTolerance?: number;
  /** Tolerance of the LoRA merge check (default 1e-5). */
  mergeTolerance?: number;
  seed?: number;
}

/** Random inputs for `model`: normal floats, and 0/1 for integer inputs (valid ids, masks and types). */
export function probeInputs(model: tf.LayersModel, batch: number, seed: number): tf.Tensor[] {
  return model.inputs.map((t, i) => {
    const shape = [batch, ...t.shape.slice(1).map((n) => n ?? 4)];
    if (t.dtype === "int32") return tf.randomUniformInt(shape, 0, 2, seed + i);
    return tf.randomNormal(shape, 0, 1, "float32", seed + i);
  });
}

function outputs(model: tf.LayersModel, xs: tf.Tensor[]): tf.Tensor[] {
  return [model.predict(xs.length === 1 ? (xs[0] as tf.Tensor) : xs)].flat() as tf.Tensor[];
}

/**
 * Largest absolute difference between two output lists, and the largest magnitude of the first (read
 * asynchronously: webgpu cannot read synchronously).
 */
export async function deviation(a: tf.Tensor[], b: tf.Tensor[]): Promise<{ dev: number; scale: number }> {
  const maxima = tf.tidy(() =>
    a.flatMap((ya, i) => [tf.max(tf.abs(tf.sub(ya, b[i] as tf.Tensor))), tf.max(tf.abs(ya))]),
  );
  let dev = 0;
  let scale = 0;
  try {
    const values = await Promise.all(maxima.map((t) => t.data()));
    values.forEach((v, k) => {
      if (k % 2 === 0) dev = Math.max(dev, v[0] as number);
      else scale = Math.max(scale, v[0] as number);
    });
  } finally {
    tf.dispose(maxima);
  }
  return { dev: Number.isNaN(dev) ? Infinity : dev, scale };
}

/** How the adapted model starts: exactly the base, near it, or not promised (the loosest operation's). */
export function startsAs(plan: Pick<CompiledPlan, "operations">): StartsAs {
  const each = plan.operations.map((o) => kindOf(o).startsAs(o.config));
  return each.includes("none") ? "none" : each.includes("near") ? "near" : "exact";
}

function perturb(model: tf.LayersModel, seed: number): void {
  model.trainableWeights.forEach((w, i) => {
    w.write(tf.tidy(() => tf.add(w.read(), tf.randomNormal(w.shape as number[], 0, 0.05, "float32", seed + i))));
  });
}

async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  if (saved === null) throw new Error("the model was not saved");
  return tf.loadLayersModel(tf.io.fromMemory(saved));
}

function check(
  name: VerifyCheck["name"],
  ok: boolean,
  deviation: number | null,
  tolerance: number | null,
  detail: string,
): VerifyCheck {
  return { name, ok, deviation, tolerance, detail };
}

const CODE_OF = {
  identity: "ADAPT926",
  trainable: "ADAPT925",
  roundtrip: "ADAPT927",
  artifact: "ADAPT927",
  merge: "ADAPT928",
} as const;

async function outputChecks(
  base: tf.LayersModel,
  adapted: tf.LayersModel,
  plan: CompiledPlan,
  xs: tf.Tensor[],
  o: Required<VerifyOptions>,
): Promise<[VerifyCheck[], number]> {
  const checks: VerifyCheck[] = [];
  perturb(adapted, o.seed + 100);
  const reference = outputs(adapted, xs);
  const reloaded = await roundTrip(adapted);
  const rt = (await deviation(reference, outputs(reloaded, xs))).dev;
  checks.push(check("roundtrip", rt === 0, rt, 0, "tfjs save and load of the adapted model"));
  reloaded.dispose();
  const artifact = await encodeArtifact(adapted, plan, await fingerprint(base), o.seed);
  const loaded = await loadArtifact(base, artifact, { seed: o.seed, noFreeze: true });
  if (loaded.value === null) {
    checks.push(check("artifact", false, null, 0, loaded.diagnostics.map((d) => d.message).join("; ")));
  } else {
    const ad = (await deviation(reference, outputs(loaded.value.model, xs))).dev;
    checks.push(
      check(
        "artifact",
        ad === 0,
        ad,
        0,
        `adapter-only artifact of ${artifact.safetensors.byteLength} bytes loaded onto the base`,
      ),
    );
    loaded.value.model.dispose();
  }
  if (plan.operations.some((op) => kindOf(op).mergeable)) {
    const merged = mergeAdapters(base, adapted, plan, { seed: o.seed, noFreeze: true });
    if (merged.value === null)
      checks.push(check("merge", false, null, o.mergeTolerance, merged.diagnostics.map((d) => d.message).join("; ")));
    else {
      const md = (await deviation(reference, outputs(merged.value, xs))).dev;
      checks.push(
        check("merge", md <= o.mergeTolerance, md, o.mergeTolerance, "mergeable adapters merged into the base kernels"),
      );
      merged.value.dispose();
    }
  }
  return [checks, artifact.safetensors.byteLength];
}

function toDiagnostics(checks: VerifyCheck[]): Diagnostic[] {
  return checks
    .filter((c) => !c.ok)
    .map((c) =>
      diag(
        CODE_OF[c.name],
        FILE_START,
        c.deviation === null
          ? `${c.name} check failed: ${c.detail}`
          : `${c.name} check failed: largest deviation ${c.deviation} exceeds the tolerance ${c.tolerance}`,
      ),
    );
}

const IDENTITY_DETAIL: Record<StartsAs, string> = {
  exact: "every adapter starts as the identity",
  near: "near_identity adapters start close to the identity",
  none: "not checked: an adapter of this plan does not promise to start as the identity (deviation shown)",
};

/** Runs every verify check of `plan` on `base` (which is not modified). */
export async function verifyPlan(
  base: tf.LayersModel,
  plan: CompiledPlan,
  options: VerifyOptions = {},
): Promise<StageResult<VerifyReport | null>> {
  const o: Required<VerifyOptions> = {
    batch: 2,
    nearIdentityTolerance: 0.1,
    mergeTolerance: 1e-5,
    seed: 0,
    ...options,
  };
  const surgery = applySurgery(base, plan, { seed: o.seed, noFreeze: true });
  if (surgery.value === null) return { value: null, diagnostics: surgery.diagnostics };
  const adapted = surgery.value;
  applyFreezing(adapted, plan.weights);
  const trainDiags = checkTrainable(adapted, plan.weights);
  const xs = probeInputs(base, o.batch, o.seed + 1);
  const { dev, scale } = await deviation(outputs(base, xs), outputs(adapted, xs));
  const start = startsAs(plan);
  const tolerance = start === "exact" ? 0 : start === "near" ? o.nearIdentityTolerance * Math.max(1, scale) : null;
  const checks: VerifyCheck[] = [
    check("identity", tolerance === null || dev <= tolerance, dev, tolerance, IDENTITY_DETAIL[start]),
    check(
      "trainable",
      trainDiags.length === 0,
      null,
      null,
      trainDiags.map((d) => d.message).join("; ") ||
        `${adapted.trainableWeights.length} trainable weights, as the plan says`,
    ),
  ];
  const [more, artifactBytes] = await outputChecks(base, adapted, plan, xs, o);
  checks.push(...more);
  const trainable = adapted.trainableWeights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
  adapted.dispose();
  xs.forEach((x) => x.dispose());
  const report: VerifyReport = { ok: checks.every((c) => c.ok), checks, maxDeviation: dev, trainable, artifactBytes };
  return {
    value: report,
    diagnostics: [
      ...surgery.diagnostics,
      ...toDiagnostics(checks.filter((c) => c.name !== "trainable")),
      ...trainDiags,
    ],
  };
}
