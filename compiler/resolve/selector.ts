/**
 * Selector matching against a model manifest: globs or `/regex/` over layer paths, then `where type =`
 * (ADAPT124), `in layers` (ADAPT122) and `expect N` (ADAPT121); zero matches is ADAPT120 naming the
 * three closest paths. Selectors choose layers; with `weights: true` (trainability rules) a glob with a
 * `/` or a regex also chooses single weights by their full names (`**.LayerNorm/gamma`).
 */
import type * as A from "../../grammar/ast.ts";
import { diag, type Diagnostic, type StageResult } from "../diagnostics/diagnostic.ts";
import { closest, didYouMean, orList } from "../diagnostics/suggest.ts";
import type { LayerInfo, ModelManifest, WeightInfo } from "../model/types.ts";
import { compileGlob, isLiteralGlob, literalPrefix } from "./glob.ts";
import { compileLinear, type Matcher } from "./linear-regex.ts";
import { expandRanges, patternText } from "./ranges.ts";

/** What a selector chose. */
export interface SelectorMatch {
  /** Matched layers in model order. */
  readonly layers: readonly LayerInfo[];
  /** Weights matched by name (rules only), in manifest order. */
  readonly weights: readonly WeightInfo[];
}

/** How many more ADAPT120 diagnostics may name the closest paths (each costs an edit distance per path). */
export interface SuggestionBudget {
  left: number;
}

/** A fresh budget: one compilation's worth. */
export function suggestionBudget(): SuggestionBudget {
  return { left: SUGGESTION_LIMIT };
}

/** Options of `matchSelector`. */
export interface MatchOptions {
  /** Also match weight names (trainability rules). */
  readonly weights?: boolean;
  /** The compilation's suggestion budget (shared by its selectors); a fresh one when absent. */
  readonly budget?: SuggestionBudget;
}

interface Index {
  readonly sorted: readonly LayerInfo[];
  /** Raw pattern matches by pattern text: specs repeat a pattern with different clauses. */
  readonly memo: Map<string, SelectorMatch>;
  /** The three paths closest to a pattern that matches nothing, by pattern text (an edit distance per path). */
  readonly nearest: Map<string, string[]>;
}

/** Beyond this many failing selectors in one compilation, ADAPT120 names no closest paths (bounded cost). */
const SUGGESTION_LIMIT = 200;

const indexes = new WeakMap<ModelManifest, Index>();

function indexOf(manifest: ModelManifest): Index {
  let ix = indexes.get(manifest);
  if (ix === undefined) {
    ix = {
      sorted: [...manifest.layers].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
      memo: new Map(),
      nearest: new Map(),
    };
    indexes.set(manifest, ix);
  }
  return ix;
}

/** The layers whose path starts with `prefix` (binary search over the sorted paths). */
function withPrefix(ix: Index, prefix: string): LayerInfo[] {
  let lo = 0;
  let hi = ix.sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ix.sorted[mid]!.path < prefix) lo = mid + 1;
    else hi = mid;
  }
  const out: LayerInfo[] = [];
  for (let i = lo; i < ix.sorted.length && ix.sorted[i]!.path.startsWith(prefix); i++) out.push(ix.sorted[i]!);
  return out;
}

/**
 * The linear-time matcher of a selector's pattern, or why there is none: a regex the engine refuses
 * (also reported by the parser) or a pattern over the length limit.
 */
export function patternMatcher(
  p: A.GlobPattern | A.RegexPattern,
): { ok: true; matcher: Matcher } | { ok: false; reason: string } {
  return p.kind === "Glob" ? compileGlob(p.text) : compileLinear(p.source, p.flags);
}

function rawMatches(p: A.GlobPattern | A.RegexPattern, manifest: ModelManifest, withWeights: boolean): SelectorMatch {
  const ix = indexOf(manifest);
  const key = `${withWeights ? "w" : "l"}${p.kind === "Glob" ? `g${p.text}` : `r${p.flags}/${p.source}`}`;
  const known = ix.memo.get(key);
  if (known !== undefined) return known;
  const found = computeMatches(p, manifest, ix, withWeights);
  if (ix.memo.size > 10000) ix.memo.clear();
  ix.memo.set(key, found);
  return found;
}

function computeMatches(
  p: A.GlobPattern | A.RegexPattern,
  manifest: ModelManifest,
  ix: Index,
  withWeights: boolean,
): SelectorMatch {
  const compiled = patternMatcher(p);
  if (!compiled.ok) return { layers: [], weights: [] };
  const re = compiled.matcher;
  let layers: LayerInfo[];
  if (p.kind === "Glob" && isLiteralGlob(p.text)) {
    const hit = manifest.byPath.get(p.text);
    layers = hit ? [hit] : [];
  } else {
    const candidates = p.kind === "Glob" ? withPrefix(ix, literalPrefix(p.text)) : manifest.layers;
    layers = candidates.filter((l) => re.test(l.path)).sort((a, b) => a.order - b.order);
  }
  const byName = withWeights && (p.kind === "Regex" || p.text.includes("/"));
  const weights = byName ? manifest.weights.filter((w) => re.test(w.name)) : [];
  return { layers, weights };
}

/** Matches a selector against the manifest's layers (and weight names, for rules). */
export function matchSelector(
  selector: A.Selector,
  manifest: ModelManifest,
  opts: MatchOptions = {},
): StageResult<SelectorMatch> {
  const diagnostics: Diagnostic[] = [];
  const text = patternText(selector.pattern);
  const compiled = patternMatcher(selector.pattern);
  if (!compiled.ok) {
    const help = "selectors are matched in linear time: no lookarounds or backreferences, at most 1000 characters";
    diagnostics.push(
      diag("ADAPT012", selector.pattern.span, `${text} cannot be matched in linear time: ${compiled.reason}`, { help }),
    );
    return { value: { layers: [], weights: [] }, diagnostics };
  }
  let { layers, weights } = rawMatches(selector.pattern, manifest, opts.weights ?? false);
  const found = layers.length + weights.length;
  if (selector.layerType !== null) {
    const cls = selector.layerType.name;
    if (!manifest.classes.has(cls)) {
      const help = didYouMean(cls, manifest.classes) ?? `the model has ${orList([...manifest.classes].sort())}`;
      diagnostics.push(
        diag("ADAPT124", selector.layerType.span, `the model has no layer of type \`${cls}\``, { help }),
      );
      return { value: { layers: [], weights: [] }, diagnostics };
    }
    layers = layers.filter((l) => l.className === cls);
    weights = weights.filter((w) => manifest.byPath.get(w.layer)?.className === cls);
  }
  if (selector.layers !== null) {
    const allowed = expandRanges(selector.layers);
    const indexed =
      layers.some((l) => l.layerIndex !== null) ||
      weights.some((w) => manifest.byPath.get(w.layer)?.layerIndex != null);
    if (found > 0 && !indexed) {
      diagnostics.push(
        diag(
          "ADAPT122",
          selector.span,
          `\`in layers\` needs paths with a layer number, but none of the paths ${text} matches has one`,
          { notes: [`it matches ${listPaths(layers.map((l) => l.path))}`] },
        ),
      );
      return { value: { layers: [], weights: [] }, diagnostics };
    }
    layers = layers.filter((l) => l.layerIndex !== null && allowed.has(l.layerIndex));
    weights = weights.filter((w) => {
      const i = manifest.byPath.get(w.layer)?.layerIndex;
      return i != null && allowed.has(i);
    });
  }
  const count = layers.length + weights.length;
  if (count === 0) diagnostics.push(noMatch(selector, manifest, text, found, opts.budget ?? suggestionBudget()));
  else if (selector.expect !== null && selector.expect.value !== count) {
    const what = [...layers.map((l) => l.path), ...weights.map((w) => w.name)];
    diagnostics.push(
      diag(
        "ADAPT121",
        selector.expect.span,
        `expected ${selector.expect.value} matches, but ${text} matches ${count}`,
        { notes: [`it matches ${listPaths(what)}`] },
      ),
    );
  }
  return { value: { layers, weights }, diagnostics };
}

function noMatch(
  selector: A.Selector,
  manifest: ModelManifest,
  text: string,
  before: number,
  budget: SuggestionBudget,
): Diagnostic {
  const notes =
    before > 0 ? [`the pattern alone matches ${before}, the \`in layers\`/\`where\` clauses keep none`] : [];
  if (before === 0 && budget.left-- > 0) {
    const near = nearestPaths(
      selector.pattern.kind === "Glob" ? selector.pattern.text : selector.pattern.source,
      manifest,
    );
    notes.push(`the closest paths are ${near.map((p) => `\`${p}\``).join(", ")}`);
  }
  return diag("ADAPT120", selector.pattern.span, `${text} matches no layer of the model`, { notes });
}

/** The three layer paths closest to `pattern`, computed once per pattern and model. */
function nearestPaths(pattern: string, manifest: ModelManifest): string[] {
  const ix = indexOf(manifest);
  let near = ix.nearest.get(pattern);
  if (near === undefined) {
    near = closest(
      pattern,
      manifest.layers.map((l) => l.path),
      3,
    );
    if (ix.nearest.size > 10000) ix.nearest.clear();
    ix.nearest.set(pattern, near);
  }
  return near;
}

/** Up to five paths in backticks, then how many more. */
export function listPaths(paths: readonly string[]): string {
  const shown = paths
    .slice(0, 5)
    .map((p) => `\`${p}\``)
    .join(", ");
  return paths.length > 5 ? `${shown} and ${paths.length - 5} more` : shown;
}
