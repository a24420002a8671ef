/**
 * What one adapter kind is, compiler-side: its name, level, positions, argument table, size argument,
 * the weights it adds (whose sizes give its parameter count), its IR config, whether it starts as the
 * identity and whether it merges. Every kind-specific list in the compiler, the editors and the
 * reference is derived from the definitions in `registry.ts`; the runtime's twin is `runtime/kinds/`.
 * Browser-safe: no tfjs, no file system.
 */
import type { JSONSchemaType } from "ajv";
import type { ArgTable, ResolvedOf } from "../schema/args.ts";

export type { ResolvedOf } from "../schema/args.ts";
import type { ResolvedArgs } from "../schema/resolve-args.ts";

/** The shape of a site as a kind sees it: its feature size and, for a dense target, its kernel. */
export interface SiteShape {
  readonly d: number;
  readonly kernelShape: readonly [number, number] | null;
}

/** What a site must be: any layer with a feature size, a dense layer, or an attention layer. */
export type KindTarget = "features" | "dense" | "attention";

/** A statement position: `insert ... after|before|parallel` or `apply ... to`. */
export type StatementPosition = "after" | "before" | "parallel" | "to";

/** How a kind's adapted model relates to the base at step 0. */
export type StartsAs = "exact" | "near" | "none";

/** One weight a kind adds, relative to the operation's layer name. */
export interface KindWeight {
  readonly suffix: string;
  readonly shape: readonly number[];
}

/** One adapter kind, as its file declares it. */
export interface KindSpec<K extends string, T extends ArgTable, C extends { readonly kind: K }> {
  readonly name: K;
  /** `module` kinds go with `insert`, `weight` kinds with `apply`. */
  readonly level: "module" | "weight";
  readonly positions: readonly StatementPosition[];
  readonly target: KindTarget;
  /** One sentence for the reference and the editor (with the paper). */
  readonly doc: string;
  readonly args: T;
  /** The argument that is the size (overridden by `size` statements), or null. */
  readonly sizeArg: (keyof T & string) | null;
  /** The parameter formula at one site, as `explain` and the reference print it. */
  readonly formula: string;
  /** The IR config of an operation from the resolved arguments, the site and the size. */
  readonly config: (args: ResolvedOf<T>, site: SiteShape, size: number) => C;
  /** The weights an operation adds, in the order the runtime layer creates them. */
  readonly weights: (config: C, site: SiteShape, size: number) => readonly KindWeight[];
  /** Why the kind cannot go at a site of this shape with this size (a sentence), or null. */
  readonly siteProblem?: (config: C, site: SiteShape, size: number) => string | null;
  readonly startsAs: (config: C) => StartsAs;
  /** True when the adapter folds into the base weights (`merge`). */
  readonly mergeable: boolean;
  /** The config stored in an artifact (e.g. prefix tuning drops its reparameterisation), if it differs. */
  readonly artifactConfig?: (config: C) => C;
  readonly configSchema: JSONSchemaType<C>;
}

/** A kind with its arguments' resolution typed once, here, for every caller. */
export interface Kind<K extends string = string, C extends { readonly kind: K } = { readonly kind: K }> {
  readonly name: K;
  readonly level: "module" | "weight";
  readonly positions: readonly StatementPosition[];
  readonly target: KindTarget;
  readonly doc: string;
  readonly args: ArgTable;
  readonly sizeArg: string | null;
  readonly formula: string;
  readonly mergeable: boolean;
  readonly configSchema: JSONSchemaType<C>;
  lower(args: ResolvedArgs, site: SiteShape, size: number): C;
  weights(config: C, site: SiteShape, size: number): readonly KindWeight[];
  siteProblem(config: C, site: SiteShape, size: number): string | null;
  startsAs(config: C): StartsAs;
  artifactConfig(config: C): C;
}

/**
 * Makes a kind from its spec. `resolveArgs` has checked the arguments against `spec.args` and filled
 * in every default, which is what `ResolvedOf` states: this is the one place that relies on it.
 */
export function defineKind<K extends string, const T extends ArgTable, C extends { readonly kind: K }>(
  spec: KindSpec<K, T, C>,
): Kind<K, C> {
  return {
    name: spec.name,
    level: spec.level,
    positions: spec.positions,
    target: spec.target,
    doc: spec.doc,
    args: spec.args,
    sizeArg: spec.sizeArg,
    formula: spec.formula,
    mergeable: spec.mergeable,
    configSchema: spec.configSchema,
    lower: (args, site, size) => spec.config(args as ResolvedOf<T>, site, size),
    weights: (config, site, size) => spec.weights(config, site, size),
    siteProblem: (config, site, size) => spec.siteProblem?.(config, site, size) ?? null,
    startsAs: (config) => spec.startsAs(config),
    artifactConfig: (config) => spec.artifactConfig?.(config) ?? config,
  };
}

/** The parameters of a weight list: the sum of the products of their shapes. */
export function paramCount(weights: readonly KindWeight[]): number {
  return weights.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
}
