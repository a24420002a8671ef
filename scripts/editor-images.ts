/**
 * Draws the VS Code extension's images with headless Chromium (puppeteer-core; ADAPT_CHROMIUM or
 * /usr/bin/chromium): `editors/vscode/images/icon.png` (128×128) and `images/screenshot.png`, a spec
 * coloured by the generated TextMate grammar in VS Code's Dark+ colours, with the language server's real
 * diagnostic and hover for it (computed here by the server's own analysis). Usage:
 * `npx tsx scripts/editor-images.ts [--out DIR]`.
 */
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import puppeteer from "puppeteer-core";
import { buildTmLanguage } from "../editors/generate/textmate.ts";
import { loadGrammar, tokenize, type ScopedToken } from "../editors/vscode/__tests__/tokenize.ts";
import { analyzeDocument } from "../editors/server/analysis.ts";
import { hoverText } from "../editors/server/hover.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const i = process.argv.indexOf("--out");
const out = resolve(i > 0 ? process.argv[i + 1]! : join(root, "editors", "vscode", "images"));

/** VS Code's Dark+ colours by scope prefix, most specific first. */
const DARK_PLUS: readonly [string, string][] = [
  ["comment", "#6A9955"],
  ["string.regexp", "#D16969"],
  ["constant.character.escape", "#D7BA7D"],
  ["string", "#CE9178"],
  ["keyword.control", "#C586C0"],
  ["keyword.operator", "#D4D4D4"],
  ["keyword", "#569CD6"],
  ["entity.name.type", "#4EC9B0"],
  ["support.class", "#4EC9B0"],
  ["entity.name.function", "#DCDCAA"],
  ["variable", "#9CDCFE"],
  ["constant.numeric", "#B5CEA8"],
];

const SPEC = `# Houlsby adapters on MiniLM: after attention and after the feed-forward block
model "model/model.json"

adapter houlsby = bottleneck(size: 16, activation: gelu, init: near_identity(std: 0.01))

insert houlsby after "encoder.layer.*.output.dens" expect 6
insert houlsby after "encoder.layer.*.attention.output.dense" expect 6

train "**.LayerNorm"
head classifier(classes: 2, pool: mean, dropout: 0.1)
`;

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const colour = (t: ScopedToken) => DARK_PLUS.find(([p]) => t.scopes.some((s) => s.startsWith(p)))?.[1] ?? "#D4D4D4";

/** One line of code as coloured spans; `squiggle` (1-based columns, end exclusive) is underlined. */
function lineHtml(text: string, tokens: ScopedToken[], squiggle: [number, number] | null): string {
  const colours: string[] = Array.from(text, () => "#D4D4D4");
  for (const t of tokens) for (let c = t.column; c < t.column + t.text.trim().length; c++) colours[c] = colour(t);
  return Array.from(text, (ch, c) => {
    const wavy = squiggle !== null && c + 1 >= squiggle[0] && c + 1 < squiggle[1] ? " class=err" : "";
    return `<span style="color:${colours[c]}"${wavy}>${esc(ch)}</span>`;
  }).join("");
}

/** The little Markdown that hovers use: paragraphs, tables, bold and code. */
function markdownHtml(md: string): string {
  const inline = (s: string) =>
    esc(s)
      .replace(/\*\*(.+?)\*\*/g, "<b>$1</b>")
      .replace(/`(.+?)`/g, "<code>$1</code>");
  return md
    .split(/\n\n+/)
    .map((block) => {
      const rows = block.split("\n").filter((r) => r.startsWith("|") && !/^\|[-| ]+\|$/.test(r));
      if (rows.length === 0) return `<p>${inline(block)}</p>`;
      const cells = rows.map((r) =>
        r
          .slice(1, -1)
          .split("|")
          .map((c) => c.trim()),
      );
      const [head = [], ...body] = cells;
      const tr = (cs: string[], tag: string) => `<tr>${cs.map((c) => `<${tag}>${inline(c)}</${tag}>`).join("")}</tr>`;
      return `<table>${tr(head, "th")}${body.map((r) => tr(r, "td")).join("")}</table>`;
    })
    .join("");
}

async function screenshotHtml(): Promise<string> {
  const specFile = join(root, "examples", "sentiment", "editor-screenshot.adapt");
  const state = analyzeDocument(pathToFileURL(specFile).href, SPEC);
  const problem = state.diagnostics.find((d) => d.severity === "error");
  if (problem === undefined) throw new Error("the screenshot's spec should have an error");
  const hoverAt = SPEC.indexOf("encoder.layer.*.attention");
  const hover = hoverText(state, hoverAt + 1);
  const grammar = await loadGrammar(buildTmLanguage());
  const tokens = tokenize(grammar, SPEC);
  const lines = SPEC.trimEnd()
    .split("\n")
    .map((text, n) => {
      const sq =
        problem.span.start.line === n + 1
          ? ([problem.span.start.column, problem.span.end.column] as [number, number])
          : null;
      const body = lineHtml(
        text,
        tokens.filter((t) => t.line === n + 1),
        sq,
      );
      return `<div class=ln><span class=no>${n + 1}</span>${body || " "}</div>`;
    });
  const hoverHtml = hover === null ? "" : `<div class=hover>${markdownHtml(hover.text)}</div>`;
  const help = problem.help === undefined ? "" : `<div class=help>help: ${esc(problem.help)}</div>`;
  return `<!doctype html><meta charset=utf-8><style>
body{margin:0;background:#1e1e1e;font:13px/19px "DejaVu Sans Mono",monospace;color:#d4d4d4;width:1000px}
.tabs{background:#252526;height:35px;display:flex}.tab{background:#1e1e1e;padding:8px 16px;color:#fff;font-family:"DejaVu Sans",sans-serif;font-size:13px}
.code{padding:10px 0;position:relative;min-height:330px}.ln{white-space:pre;height:19px}.no{display:inline-block;width:48px;text-align:right;padding-right:22px;color:#858585}
.err{text-decoration:underline wavy #f14c4c;text-underline-offset:3px}
.hover{position:absolute;left:236px;top:148px;background:#252526;border:1px solid #454545;padding:8px 10px;max-width:560px;font-family:"DejaVu Sans",sans-serif;font-size:13px;line-height:18px;white-space:normal}
.hover code{font-family:"DejaVu Sans Mono",monospace;color:#ce9178}.hover p{margin:0 0 6px}
.hover table{border-collapse:collapse;font-size:12px}.hover td,.hover th{padding:1px 8px;text-align:left;border-bottom:1px solid #3c3c3c}
.panel{border-top:1px solid #414141;padding:8px 16px;font-family:"DejaVu Sans",sans-serif;font-size:13px}
.title{color:#e7e7e7;font-size:11px;letter-spacing:.5px;margin-bottom:6px}.msg{color:#d4d4d4}.code-name{color:#f14c4c}.help{color:#9cdcfe;margin-left:22px}
</style><div class=tabs><div class=tab>houlsby.adapt</div></div><div class=code>${lines.join("")}${hoverHtml}</div>
<div class=panel><div class=title>PROBLEMS</div><div class=msg><span class=code-name>&#x2715; ${problem.code}</span> ${esc(problem.message)} <span style="color:#858585">[Ln ${problem.span.start.line}, Col ${problem.span.start.column}]</span></div>${help}</div>`;
}

const ICON = `<!doctype html><style>body{margin:0;background:transparent}</style>
<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128">
  <rect x="4" y="4" width="120" height="120" rx="24" fill="#1b2b4b"/>
  <path d="M16 28 H92 L63 58 V70 L92 100 H16 L45 70 V58 Z" fill="#4ec9b0"/>
  <path d="M16 28 H92 L63 58 H45 Z" fill="#7fe0cb"/>
  <path d="M100 30 C118 50 118 78 100 98" fill="none" stroke="#c586c0" stroke-width="7" stroke-linecap="round"/>
  <path d="M93 92 L100 99 L106 89" fill="none" stroke="#c586c0" stroke-width="6" stroke-linecap="round" stroke-linejoin="round"/>
</svg>`;

const browser = await puppeteer.launch({
  executablePath: process.env["ADAPT_CHROMIUM"] ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu"],
});
try {
  mkdirSync(out, { recursive: true });
  const page = await browser.newPage();
  await page.setViewport({ width: 128, height: 128 });
  await page.setContent(ICON);
  await page.screenshot({
    path: join(out, "icon.png"),
    omitBackground: true,
    clip: { x: 0, y: 0, width: 128, height: 128 },
  });
  await page.setViewport({ width: 1000, height: 400, deviceScaleFactor: 1 });
  await page.setContent(await screenshotHtml());
  const height = await page.evaluate(() => document.body.scrollHeight);
  await page.screenshot({ path: join(out, "screenshot.png"), clip: { x: 0, y: 0, width: 1000, height } });
  console.log(`wrote ${join(out, "icon.png")} and ${join(out, "screenshot.png")}`);
} finally {
  await browser.close();
}
