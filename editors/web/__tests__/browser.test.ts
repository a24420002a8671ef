/**
 * The highlight.js definition as documentation pages load it, in headless Chromium (Debian's
 * `chromium`; ADAPT_CHROMIUM names another binary): a classic page with `<script>` tags (highlight.js's
 * browser build, then adapt.hljs.global.js) and a page with ES modules (adapt.hljs.js). Each page must
 * load without errors and colour the snippet exactly as highlight.js does in Node. Skipped, with the
 * reason printed, only where no Chromium can be found.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { join, dirname, delimiter } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import hljs from "highlight.js/lib/core";
import puppeteer, { type Browser } from "puppeteer-core";
import adapt from "../adapt.hljs.js";

const here = dirname(fileURLToPath(import.meta.url));
const web = join(here, "..");
const snippet = readFileSync(join(here, "..", "..", "vscode", "__tests__", "fixtures", "kitchen-sink.adapt"), "utf8");

/** The Chromium binary: ADAPT_CHROMIUM, or the first of the usual names on PATH. */
function findChromium(): string | null {
  const named = process.env["ADAPT_CHROMIUM"];
  if (named !== undefined && named !== "") return named;
  const dirs = (process.env["PATH"] ?? "").split(delimiter);
  for (const name of ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]) {
    const found = dirs.map((d) => join(d, name)).find((p) => existsSync(p));
    if (found !== undefined) return found;
  }
  return null;
}

/** highlight.js's core as browsers get it from its own builds: a global `hljs` script, and an ES module. */
async function hljsBundle(format: "iife" | "esm"): Promise<string> {
  const entry = createRequire(import.meta.url).resolve("highlight.js/lib/core");
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    format,
    globalName: "hljs",
    write: false,
    logLevel: "error",
  });
  const text = out.outputFiles[0]!.text;
  return format === "esm" ? text.replace(/export default (\w+);/, "export default $1.default ?? $1;") : text;
}

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const codeBlock = `<pre><code class="language-adapt">${escapeHtml(snippet)}</code></pre>`;

const pages = (files: Record<string, string>): Record<string, string> => ({
  "/classic.html": `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>classic</title>
<script src="/highlight.js"></script>
<script src="/adapt.hljs.global.js"></script>
${codeBlock}
<script>hljs.highlightAll(); document.body.dataset.done = "1";</script>`,
  "/module.html": `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>module</title>
${codeBlock}
<script type="module">
import hljs from "/highlight.es.js";
import adapt from "/adapt.hljs.js";
hljs.registerLanguage("adapt", adapt);
hljs.highlightAll();
document.body.dataset.done = "1";
</script>`,
  "/late.html": `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>late</title>
<script src="/adapt.hljs.global.js"></script>
<script src="/highlight.js"></script>
${codeBlock}
<script>hljs.registerLanguage("adapt", hljsDefineAdapt); hljs.highlightAll(); document.body.dataset.done = "1";</script>`,
  ...files,
});

const chromium = findChromium();
if (chromium === null)
  console.log(
    "[highlight.js in Chromium] skipped: no chromium on PATH (apt-get install chromium, or set ADAPT_CHROMIUM)",
  );

describe.skipIf(chromium === null)("highlight.js in headless Chromium", () => {
  let server: Server;
  let base = "";
  let browser: Browser;
  hljs.registerLanguage("adapt", adapt);
  // innerHTML writes quotes in text as they are; highlight.js escapes them.
  const expected = hljs
    .highlight(snippet, { language: "adapt" })
    .value.replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'");

  beforeAll(async () => {
    const files = pages({
      "/highlight.js": await hljsBundle("iife"),
      "/highlight.es.js": await hljsBundle("esm"),
      "/adapt.hljs.js": readFileSync(join(web, "adapt.hljs.js"), "utf8"),
      "/adapt.hljs.global.js": readFileSync(join(web, "adapt.hljs.global.js"), "utf8"),
    });
    server = createServer((req, res) => {
      const body = files[req.url ?? ""];
      const type = req.url?.endsWith(".html") ? "text/html" : "text/javascript";
      res.writeHead(body === undefined ? 404 : 200, { "content-type": `${type}; charset=utf-8` }).end(body ?? "");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`;
    browser = await puppeteer.launch({
      executablePath: chromium!,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu"],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  /** Loads a page; returns the highlighted HTML of its code block and every error the page raised. */
  async function load(path: string): Promise<{ html: string; errors: string[] }> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e instanceof Error ? e.message : String(e)));
    page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
    try {
      await page.goto(`${base}${path}`, { waitUntil: "load" });
      await page
        .waitForFunction(() => document.body.dataset["done"] === "1", { timeout: 20_000 })
        .catch(() => undefined);
      const html = await page.$eval("code", (el) => el.innerHTML);
      return { html, errors };
    } finally {
      await page.close();
    }
  }

  it.each(["/classic.html", "/module.html", "/late.html"])(
    "%s highlights the snippet as highlight.js does in Node",
    async (path) => {
      const { html, errors } = await load(path);
      expect(errors).toEqual([]);
      expect(html).toContain('<span class="hljs-keyword">insert</span>');
      expect(html).toBe(expected);
    },
    60_000,
  );
});
