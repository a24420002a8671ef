/**
 * The one module that draws: Vega-Lite specifications of the report's figures, compiled by `vega-lite`
 * and rendered to SVG by `vega` in Node (no browser, no canvas: text is measured by vega's estimate).
 * Load it lazily (`await import`) so that commands other than `adapt report` never load vega.
 */
import type { TopLevelSpec } from "vega-lite";
import type { CurvesFigure, TradeoffFigure } from "./figures.ts";

/** An SVG document and the warnings vega-lite or vega gave while making it. */
export interface Drawing {
  readonly svg: string;
  readonly warnings: readonly string[];
}

const FONT = "DejaVu Sans, Helvetica, Arial, sans-serif";
const CONFIG = {
  font: FONT,
  view: { stroke: "#888" },
  axis: {
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: "normal",
    grid: true,
    gridColor: "#e6e6e6",
    tickColor: "#888",
    domainColor: "#888",
  },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: "normal", labelLimit: 240 },
  title: { fontSize: 14, fontWeight: "normal", anchor: "start" },
} as const;
/** Vega's `tableau20`: pairs of a dark and a light shade of one hue. A series takes a pair, its variants the shades. */
const TABLEAU20 = [
  "#4c78a8",
  "#9ecae9",
  "#f58518",
  "#ffbf79",
  "#54a24b",
  "#88d27a",
  "#b79a20",
  "#f2cf5b",
  "#439894",
  "#83bcb6",
  "#e45756",
  "#ff9d98",
  "#79706e",
  "#bab0ac",
  "#d67195",
  "#fcbfd2",
  "#b279a2",
  "#d6a5c9",
  "#9e765f",
  "#d8b5a5",
];
const seriesColor = (i: number, shade = 0): string => TABLEAU20[(i % 10) * 2 + (shade % 2)]!;
const SHAPES = [
  "circle",
  "square",
  "triangle-up",
  "diamond",
  "cross",
  "triangle-down",
  "triangle-right",
  "triangle-left",
];

/** The log axis: the data's range widened by a factor on each side, with ticks at powers of ten (and 3x where few). */
function logAxis(values: readonly number[]): { domain: [number, number]; ticks: number[] } {
  const positive = values.filter((v) => v > 0);
  const lo = positive.length === 0 ? 1 : Math.min(...positive) / 1.8;
  const hi = positive.length === 0 ? 10 : Math.max(...positive) * 1.8;
  const decades: number[] = [];
  for (let k = Math.ceil(Math.log10(lo)); k <= Math.floor(Math.log10(hi)); k++) decades.push(10 ** k);
  const ticks =
    decades.length >= 3
      ? decades
      : [...decades, ...decades.map((d) => 3 * d)].filter((t) => t >= lo && t <= hi).sort((a, b) => a - b);
  return { domain: [lo, hi], ticks };
}

function tradeoffSpec(f: TradeoffFigure): TopLevelSpec {
  const color = {
    field: "series",
    type: "nominal",
    title: "method",
    scale: { domain: [...f.series], range: f.series.map((_, i) => seriesColor(i)) },
  } as const;
  const y = {
    field: "y",
    type: "quantitative",
    title: f.yTitle,
    scale: { zero: false, padding: 12, ...(f.points.length === 0 ? { domain: [0, 1] } : {}) },
  } as const;
  const axis = logAxis(f.points.map((p) => p.params));
  const x = {
    field: "params",
    type: "quantitative",
    title: f.xTitle,
    scale: { type: "log", domain: axis.domain, nice: false },
    axis: { values: axis.ticks, format: "~s" },
  } as const;
  const reference =
    f.reference === null
      ? []
      : [
          {
            data: { values: [{ ...f.reference }] },
            mark: { type: "rule", strokeDash: [5, 4], strokeWidth: 1, opacity: 0.7 },
            encoding: { y: { field: "y", type: "quantitative" }, color: { field: "series", type: "nominal" } },
          },
        ];
  return {
    width: 440,
    height: 300,
    title: f.title,
    config: CONFIG,
    data: { values: f.points.map((p) => ({ ...p })) },
    encoding: { color },
    layer: [
      ...reference,
      {
        mark: { type: "errorbar", ticks: { size: 7 }, thickness: 1.2 },
        encoding: { x, y: { ...y, field: "lo" }, y2: { field: "hi" } },
      },
      {
        mark: { type: "line", strokeWidth: 1.6 },
        encoding: { x, y, order: { field: "params", type: "quantitative" } },
      },
      {
        mark: { type: "point", filled: true, size: 60, opacity: 1 },
        encoding: {
          x,
          y,
          shape: {
            field: "series",
            type: "nominal",
            title: "method",
            scale: { domain: [...f.series], range: SHAPES.slice(0, Math.max(1, f.series.length)) },
          },
        },
      },
      {
        mark: { type: "text", dx: 7, dy: -9, align: "left", fontSize: 10 },
        encoding: { x, y, text: { field: "member" }, color: { value: "#333" } },
      },
    ],
  } as TopLevelSpec;
}

function curvesSpec(f: CurvesFigure): TopLevelSpec {
  const series = [...new Set(f.variants.map((v) => v.series))];
  const shades = f.variants.map((v, i) =>
    seriesColor(series.indexOf(v.series), f.variants.slice(0, i).filter((w) => w.series === v.series).length),
  );
  const color = {
    field: "variant",
    type: "nominal",
    title: "variant",
    scale: { domain: f.variants.map((v) => v.variant), range: shades },
  } as const;
  const x = { field: "step", type: "quantitative", title: "training step" } as const;
  const loss = f.runs.flatMap((r) =>
    r.loss.map((p) => ({ variant: r.variant, run: r.run, step: p.step, value: p.loss })),
  );
  const evals = f.runs.flatMap((r) =>
    r.evals.map((p) => ({ variant: r.variant, run: r.run, step: p.step, value: p.value })),
  );
  const panel = (values: object[], title: string, zero: boolean, marks: object[]): object => ({
    width: 340,
    height: 240,
    data: { values },
    encoding: {
      x: { ...x, ...(values.length === 0 ? { scale: { domain: [0, 1] } } : {}) },
      y: {
        field: "value",
        type: "quantitative",
        title,
        scale: { zero, ...(values.length === 0 ? { domain: [0, 1] } : {}) },
      },
      color,
      detail: { field: "run" },
    },
    layer: marks,
  });
  return {
    title: f.title,
    config: CONFIG,
    resolve: { scale: { color: "shared", x: "shared" } },
    hconcat: [
      panel(loss, f.lossTitle, true, [{ mark: { type: "line", strokeWidth: 1, opacity: 0.85 } }]),
      panel(evals, f.metricTitle, false, [
        { mark: { type: "line", strokeWidth: 1.4 } },
        { mark: { type: "point", filled: true, size: 30 } },
      ]),
    ],
  } as TopLevelSpec;
}

async function draw(spec: TopLevelSpec): Promise<Drawing> {
  const [vl, vega] = await Promise.all([import("vega-lite"), import("vega")]);
  const warnings: string[] = [];
  const collect = (...args: readonly unknown[]): void => void warnings.push(args.map(String).join(" "));
  const logger = {
    level(): number {
      return 2;
    },
    error: (...a: readonly unknown[]) => (collect(...a), logger),
    warn: (...a: readonly unknown[]) => (collect(...a), logger),
    info: () => logger,
    debug: () => logger,
  };
  const compiled = vl.compile(spec, { logger: logger as never }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none", logLevel: vega.Warn, logger: logger as never });
  try {
    return { svg: `${await view.toSVG()}\n`, warnings };
  } finally {
    view.finalize();
  }
}

/** The SVG of a trade-off figure. */
export function drawTradeoff(f: TradeoffFigure): Promise<Drawing> {
  return draw(tradeoffSpec(f));
}

/** The SVG of a training-curves figure. */
export function drawCurves(f: CurvesFigure): Promise<Drawing> {
  return draw(curvesSpec(f));
}
