/**
 * Carries out a compiled plan's surgery on a LayersModel: rebuilds its topology (see graph.ts) with each
 * operation's adapter at its site, copies every original weight into the new model unchanged, checks
 * the added weights against the IR, and applies the IR's freezing (before any compile). Frozen Dense
 * layers become {@link FrozenDense} (same weights, no kernel gradient) unless `fastFrozenDense` is off.
 */
import * as tf from "@tensorflow/tfjs";
import { diag, FILE_START, type Diagnostic, type StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import { didYouMean } from "../../compiler/diagnostics/suggest.ts";
import type { CompiledPlan, FusionOp, SurgeryOp } from "../../compiler/ir/types.ts";
import { applyFreezing, checkTrainable } from "../freeze.ts";
import { AdapterFusion, FrozenDense, seedFor } from "../layers/index.ts";
import { adapterLayer, runtimeOf } from "../kinds/index.ts";
import { applyLayer, cloneLayer, rebuild, type Layer, type Sym } from "./graph.ts";
import { spanOf } from "./names.ts";
import { checkAddedWeights } from "./check-weights.ts";

/** The parts of the plan that surgery reads. */
export type SurgeryPlan = Pick<CompiledPlan, "operations" | "weights" | "fusions">;

/** Options of {@link applySurgery}. */
export interface SurgeryOptions {
  /** Replace frozen Dense layers by FrozenDense (default true). */
  fastFrozenDense?: boolean;
  /** Base seed of the adapters' initial draws (default 0). */
  seed?: number;
  /** Skip freezing and the trainable-set check (default false). */
  noFreeze?: boolean;
  /** Initial values of added weights by name (loaded adapters' weights, from their artifacts). */
  initial?: ReadonlyMap<string, { readonly shape: readonly number[]; readonly values: Float32Array }>;
}

const DENSE = new Set(["Dense", "FrozenDense"]);

function lastDim(t: Sym): number | null {
  return (t.shape[t.shape.length - 1] as number | null | undefined) ?? null;
}

class SurgeryHook {
  readonly diagnostics: Diagnostic[] = [];
  private readonly clones = new Map<Layer, Layer>();
  private readonly adapters = new Map<string, Layer>();

  private readonly fusionOf = new Map<string, FusionOp>();

  constructor(
    private readonly bySite: Map<string, SurgeryOp[]>,
    private readonly frozen: Set<string>,
    private readonly options: SurgeryOptions,
    fusions: readonly FusionOp[] = [],
  ) {
    for (const f of fusions) for (const id of f.members) this.fusionOf.set(id, f);
  }

  /** h through the fusion's members (each from h) and then the fusion layer. */
  private fuse(f: FusionOp, ops: readonly SurgeryOp[], h: Sym): Sym {
    const members = f.members.map((id) => ops.find((o) => o.id === id)!);
    const ys = members.map((op) => applyLayer(this.adapterFor(op), [h])[0] as Sym);
    let layer = this.adapters.get(f.id);
    if (layer === undefined) {
      const name = `fusion.${f.fusion}.${f.site}`;
      layer = new AdapterFusion({ name, d: f.d, seed: seedFor(this.options.seed ?? 0, f.id) });
      this.adapters.set(f.id, layer);
    }
    return applyLayer(layer, [h, ...ys])[0] as Sym;
  }

  private fail(op: SurgeryOp, code: "ADAPT921" | "ADAPT922", message: string): void {
    this.diagnostics.push(diag(code, spanOf(op.source), message));
  }

  private adapterFor(op: SurgeryOp, denseActivation?: string): Layer {
    let layer = this.adapters.get(op.id);
    if (layer === undefined) {
      layer = adapterLayer(op, this.options.seed ?? 0, denseActivation);
      this.adapters.set(op.id, layer);
    }
    return layer;
  }

  private cloneFor(layer: Layer, linear: boolean): Layer {
    const known = this.clones.get(layer);
    if (known !== undefined) return known;
    const config = { ...layer.getConfig() };
    if (linear) config["activation"] = "linear";
    const fast =
      this.options.fastFrozenDense !== false &&
      layer.getClassName() === "Dense" &&
      this.frozen.has(`${layer.name}/kernel`);
    const clone = fast
      ? new FrozenDense({
          name: layer.name,
          units: config["units"] as number,
          activation: config["activation"] as string,
          useBias: config["useBias"] as boolean,
          trainable: config["trainable"] as boolean,
        })
      : cloneLayer(layer, config);
    this.clones.set(layer, clone);
    return clone;
  }

  private checkSize(op: SurgeryOp, t: Sym, what: string): boolean {
    const d = lastDim(t);
    if (d === op.d) return true;
    this.fail(
      op,
      "ADAPT921",
      `the ${what} of \`${op.site}\` has feature size ${d ?? "unknown"}, but the plan says ${op.d}`,
    );
    return false;
  }

  private denseOk(op: SurgeryOp, layer: Layer, x: Sym): boolean {
    if (!DENSE.has(layer.getClassName())) {
      this.fail(
        op,
        "ADAPT922",
        `\`${op.site}\` is a ${layer.getClassName()} layer, but ${op.kind} needs a Dense kernel`,
      );
      return false;
    }
    const nIn = lastDim(x);
    const nOut = (layer.getConfig()["units"] as number | undefined) ?? null;
    const [kIn, kOut] = "kernelShape" in op.config ? op.config.kernelShape : [nIn, op.d];
    if (nIn === kIn && nOut === kOut) return true;
    this.fail(op, "ADAPT921", `the kernel of \`${op.site}\` is [${nIn}, ${nOut}], but the plan says [${kIn}, ${kOut}]`);
    return false;
  }

  /** The rebuild hook: one call of `layer`. */
  readonly call = (layer: Layer, inputs: Sym[], callArgs: Record<string, unknown>): Sym[] => {
    const ops = this.bySite.get(layer.name) ?? [];
    let xs = inputs;
    for (const op of ops.filter((o) => o.position === "before")) {
      const x = xs[0];
      if (xs.length !== 1 || x === undefined)
        this.fail(op, "ADAPT921", `\`${op.site}\` has ${xs.length} inputs, so \`before\` is ambiguous`);
      else if (this.checkSize(op, x, "input")) xs = applyLayer(this.adapterFor(op), [x]);
    }
    for (const op of ops.filter((o) => joinOf(o) === "attention")) xs = this.withAttentionRows(op, layer, xs);
    const x0 = xs[0] as Sym;
    const wrapping = ops.filter((o) => runtimeOf(o).kind.linearSite && this.denseOk(o, layer, x0));
    const activation = (layer.getConfig()["activation"] as string | undefined) ?? "linear";
    const linear = wrapping.length > 0 && activation !== "linear";
    const clone = this.cloneFor(layer, linear);
    const fresh = !clone.built;
    const outs = applyLayer(clone, xs, callArgs);
    if (fresh) clone.setWeights(layer.getWeights());
    let h = outs[0] as Sym;
    for (const op of wrapping) h = applyLayer(this.adapterFor(op, linear ? activation : "linear"), [x0, h])[0] as Sym;
    const rest = ops.filter(
      (o) => o.position !== "before" && joinOf(o) !== "attention" && !runtimeOf(o).kind.linearSite,
    );
    if (rest.length > 0 && outs.length !== 1) {
      for (const op of rest)
        this.fail(op, "ADAPT921", `\`${op.site}\` has ${outs.length} outputs, so the adapter's place is ambiguous`);
      return outs;
    }
    const fused = new Set<string>();
    for (const op of rest) {
      if (!this.checkSize(op, h, "output")) continue;
      const fusion = this.fusionOf.get(op.id);
      if (fusion !== undefined) {
        if (!fused.has(fusion.id)) h = this.fuse(fusion, rest, h);
        fused.add(fusion.id);
        continue;
      }
      if (joinOf(op) === "beside") {
        if (xs.length !== 1 || !this.checkSize(op, x0, "input")) continue;
        h = applyLayer(this.adapterFor(op), [x0, h])[0] as Sym;
      } else {
        h = applyLayer(this.adapterFor(op), [h])[0] as Sym;
      }
    }
    return [h, ...outs.slice(1)];
  };

  /** An attention layer's inputs [query, key, value, mask] with the adapter's prefix rows as a fifth. */
  private withAttentionRows(op: SurgeryOp, layer: Layer, xs: Sym[]): Sym[] {
    if (layer.getClassName() !== "MaskedSelfAttention" || xs.length !== 4) {
      this.fail(
        op,
        "ADAPT922",
        `\`${op.site}\` is a ${layer.getClassName()} layer, but ${op.kind} needs an attention layer with inputs [query, key, value, mask]`,
      );
      return xs;
    }
    const q = xs[0] as Sym;
    if (!this.checkSize(op, q, "query")) return xs;
    return [...xs, applyLayer(this.adapterFor(op), [q])[0] as Sym];
  }
}

function joinOf(op: SurgeryOp): string {
  return runtimeOf(op).kind.join;
}

function missingSites(model: tf.LayersModel, ops: readonly SurgeryOp[]): Diagnostic[] {
  const names = model.layers.map((l) => l.name);
  const have = new Set(names);
  return ops
    .filter((op) => !have.has(op.site))
    .map((op) =>
      diag("ADAPT920", spanOf(op.source), `the model has no layer \`${op.site}\``, {
        help: didYouMean(op.site, names),
      }),
    );
}

/**
 * Applies `plan`'s surgery to `model`. Returns a new, uncompiled model (the input is not modified) with
 * the IR's freezing applied, or null with coded diagnostics.
 */
export function applySurgery(
  model: tf.LayersModel,
  plan: SurgeryPlan,
  options: SurgeryOptions = {},
): StageResult<tf.LayersModel | null> {
  const missing = missingSites(model, plan.operations);
  if (missing.length > 0) return { value: null, diagnostics: missing };
  const bySite = new Map<string, SurgeryOp[]>();
  for (const op of plan.operations) bySite.set(op.site, [...(bySite.get(op.site) ?? []), op]);
  const frozen = new Set(plan.weights.filter((w) => !w.trainable).map((w) => w.name));
  const hook = new SurgeryHook(bySite, frozen, options, plan.fusions ?? []);
  let adapted: tf.LayersModel;
  try {
    adapted = rebuild(model, hook.call);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return {
      value: null,
      diagnostics: [
        ...hook.diagnostics,
        diag("ADAPT923", FILE_START, `the model graph could not be rebuilt: ${message}`),
      ],
    };
  }
  if (hook.diagnostics.length > 0) {
    adapted.dispose();
    return { value: null, diagnostics: hook.diagnostics };
  }
  const diagnostics = checkAddedWeights(adapted, plan.operations, plan.fusions ?? []);
  if (options.initial !== undefined) diagnostics.push(...writeInitial(adapted, plan.operations, options.initial));
  if (options.noFreeze !== true) {
    applyFreezing(adapted, plan.weights);
    diagnostics.push(...checkTrainable(adapted, plan.weights));
  }
  if (diagnostics.some((d) => d.severity === "error")) {
    adapted.dispose();
    return { value: null, diagnostics };
  }
  return { value: adapted, diagnostics };
}

/** Writes the loaded operations' weights (ADAPT951 for one that is not given or has another shape). */
function writeInitial(
  model: tf.LayersModel,
  ops: readonly SurgeryOp[],
  initial: NonNullable<SurgeryOptions["initial"]>,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const byName = new Map(model.weights.map((w) => [w.originalName, w]));
  for (const op of ops.filter((o) => o.origin !== undefined)) {
    for (const w of op.weights) {
      const t = initial.get(w.name);
      const v = byName.get(w.name);
      if (t === undefined || v === undefined || t.shape.join(",") !== v.shape.join(",")) {
        out.push(
          diag("ADAPT951", spanOf(op.source), `the loaded weight \`${w.name}\` is missing or has another shape`),
        );
        continue;
      }
      v.write(tf.tensor(t.values, [...t.shape], "float32"));
    }
  }
  return out;
}
