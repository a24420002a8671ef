/**
 * Sizes per site: the adapter's own `size`/`rank`, then every `size` statement for it in source order
 * (later ones override earlier ones where their `in layers` overlap). ADAPT210 (`d / k` with a
 * remainder), ADAPT211 (list length differs from the layers it covers), ADAPT215 (a list cannot size a
 * site without a layer number), ADAPT216 (a warning when m exceeds d), ADAPT218 (an error when m exceeds
 * what the site can take, 16·d: such a size would only exhaust memory).
 */
import type * as A from "../../grammar/ast.ts";
import { diag, type Diagnostic, type StageResult } from "../diagnostics/diagnostic.ts";
import { plural } from "../diagnostics/suggest.ts";
import type { CheckedSpec } from "../frontend/checked.ts";
import { MAX_SIZE_FACTOR, maxSizeAt } from "../ir/invariants.ts";
import type { ModelManifest } from "../model/types.ts";
import { expandRanges, orderedRangeIndices } from "./ranges.ts";
import type { Site } from "./sites.ts";

/** The size of each site (null for kinds without a size argument), parallel to the `sites` array. */
export function resolveSizes(
  checked: CheckedSpec,
  manifest: ModelManifest,
  sites: readonly Site[],
): StageResult<(number | null)[]> {
  const diagnostics: Diagnostic[] = [];
  const reported = new Set<string>();
  const once = (key: string, d: Diagnostic) => {
    if (!reported.has(key)) diagnostics.push(d);
    reported.add(key);
  };
  const covers = new Map<A.SizeStmt, Cover>();
  const byAdapter = new Map<string, A.SizeStmt[]>();
  for (const s of checked.sizes) {
    const order = s.layers ? orderedRangeIndices(s.layers) : [...manifest.layerIndices];
    covers.set(s, {
      set: s.layers ? expandRanges(s.layers) : null,
      order,
      position: new Map(order.map((x, i) => [x, i])),
    });
    byAdapter.set(s.adapter.name, [...(byAdapter.get(s.adapter.name) ?? []), s]);
  }
  const sizes = sites.map((site) => {
    const sizeArg = site.adapter.def.sizeArg;
    if (sizeArg === null) return null;
    const own = site.adapter.args[sizeArg];
    const ratio = site.adapter.sizeRatio;
    let m =
      ratio !== null
        ? (divValue(ratio, `decl${ratio.span.start.offset}`, site, once) ?? null)
        : typeof own === "number"
          ? own
          : null;
    let from: A.Span = site.adapter.decl.span;
    for (const stmt of byAdapter.get(site.adapter.name) ?? []) {
      const cover = covers.get(stmt)!;
      const li = site.layer.layerIndex;
      if (cover.set !== null && (li === null || !cover.set.has(li))) continue;
      const v = sizeValue(stmt, cover, site, once);
      if (v !== undefined) {
        m = v;
        from = stmt.span;
      }
    }
    if (m === null && ratio !== null) return null;
    if (m === null) {
      once(
        `none@${site.layer.path}`,
        diag("ADAPT215", site.stmt.selector.span, `no size for \`${site.adapter.name}\` at \`${site.layer.path}\``),
      );
    } else if (m > maxSizeAt(site.d)) {
      const help = `a bottleneck is meant to be narrower than d; sizes up to ${MAX_SIZE_FACTOR} × d are allowed`;
      once(
        `huge@${site.adapter.name}@${from.start.offset}`,
        diag(
          "ADAPT218",
          from,
          `size ${m} of \`${site.adapter.name}\` is more than ${MAX_SIZE_FACTOR} times the feature size ${site.d} at \`${site.layer.path}\``,
          { help },
        ),
      );
      return null;
    } else if (m > site.d) {
      once(
        `big@${site.adapter.name}@${from.start.offset}`,
        diag(
          "ADAPT216",
          from,
          `size ${m} of \`${site.adapter.name}\` is larger than the feature size ${site.d} at \`${site.layer.path}\``,
        ),
      );
    }
    return m;
  });
  return { value: sizes, diagnostics };
}

type Once = (key: string, d: Diagnostic) => void;

/** The layer indices a size statement covers: as a set (null: all), in order, and each one's position. */
interface Cover {
  readonly set: Set<number> | null;
  readonly order: readonly number[];
  readonly position: ReadonlyMap<number, number>;
}

/** `d / k` at a site, or undefined (ADAPT210 when k does not divide d; other problems were reported by the checks). */
function divValue(e: A.DivExpr, key: string, site: Site, once: Once): number | undefined {
  const k = e.divisor.value;
  if (!e.divisor.integer || k <= 0) return undefined;
  if (site.d % k !== 0) {
    once(
      `${key}/${site.d}`,
      diag("ADAPT210", e.span, `\`d / ${k}\` does not divide evenly at \`${site.layer.path}\`, where d is ${site.d}`, {
        help: `use a divisor of ${site.d}, or an integer size`,
      }),
    );
    return undefined;
  }
  return site.d / k;
}

/** The value a size statement gives a site, or undefined (reported, or not applicable). */
function sizeValue(stmt: A.SizeStmt, cover: Cover, site: Site, once: Once): number | undefined {
  const e = stmt.expr;
  const key = `${stmt.span.start.offset}`;
  if (e.kind === "Number") return e.integer && e.value > 0 ? e.value : undefined;
  if (e.kind === "SizeAlternatives") return undefined;
  if (e.kind === "Div") return divValue(e, key, site, once);
  if (e.items.length !== cover.order.length) {
    const what = stmt.layers ? "its `in layers` covers" : "the model has";
    once(
      key,
      diag(
        "ADAPT211",
        e.span,
        `the size list has ${plural(e.items.length, "value")}, but ${what} ${plural(cover.order.length, "layer number")}`,
      ),
    );
    return undefined;
  }
  if (site.layer.layerIndex === null) {
    once(
      `${key}@${site.layer.path}`,
      diag("ADAPT215", e.span, `a size list cannot size \`${site.layer.path}\`, which has no layer number`, {
        help: "add a `size` statement with a single value for it",
      }),
    );
    return undefined;
  }
  const item = e.items[cover.position.get(site.layer.layerIndex) ?? -1];
  return item && item.kind === "Number" && item.integer && item.value > 0 ? item.value : undefined;
}
