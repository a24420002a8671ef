/**
 * The playground in a real browser (Debian's chromium, headless, driven by puppeteer-core): the first
 * load stays within its size budget and fetches neither TensorFlow.js nor the model's weights; a typed
 * spec with a misspelt adapter shows the CLI's own diagnostic; the fixed spec shows `adapt explain`'s
 * totals; a tiny model trains on wasm with a falling loss; the downloaded artifact passes `adapt eval`.
 * A screenshot is saved (ADAPT_SCREENSHOT, else tmp/web/playground.png). Skipped, with the reason
 * printed, only when no chromium can be found.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import type { PreviewServer } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../cli/__tests__/run-cli.ts";
import { DIST, FIRST_LOAD_BUDGET } from "../build.ts";
import { ensureBuilt, findChromium, serveSite, tinySpec, tinyWorkspace } from "./browser.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const SCREENSHOT = process.env["ADAPT_SCREENSHOT"] ?? join(ROOT, "tmp/web/playground.png");
const chromium = findChromium();
if ("reason" in chromium) process.stdout.write(`web/__tests__/playground.test.ts skipped: ${chromium.reason}\n`);

describe.skipIf("reason" in chromium)("the playground in chromium", () => {
  let browser: Browser;
  let page: Page;
  let server: PreviewServer;
  let url: string;
  const requests: string[] = [];
  const dir = tinyWorkspace();

  beforeAll(async () => {
    await ensureBuilt();
    ({ url, server } = await serveSite());
    browser = await puppeteer.launch({
      executablePath: (chromium as { path: string }).path,
      headless: true,
      args: ["--no-sandbox", "--disable-dev-shm-usage", "--enable-unsafe-swiftshader"],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 1100 });
    page.on("request", (r) => void requests.push(r.url()));
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById("check-state")?.textContent === "checked", {
      timeout: 60_000,
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Replaces the editor's text by typing `text`; resolves when the checker has answered for it. */
  async function typeSpec(text: string): Promise<void> {
    const before = await page.$eval("#check-state", (e) => Number((e as HTMLElement).dataset["checked"] ?? 0));
    await page.click("#editor .cm-content");
    await page.keyboard.down("Control");
    await page.keyboard.press("a");
    await page.keyboard.up("Control");
    await page.keyboard.press("Backspace");
    await page.keyboard.type(text);
    await page.waitForFunction(
      (n: number) => {
        const s = document.getElementById("check-state")!;
        return Number(s.dataset["checked"] ?? 0) > n && s.textContent !== "checking…";
      },
      { timeout: 30_000 },
      before,
    );
  }

  it("loads the page, the editor and the checker within budget, without tfjs or the weights", () => {
    const local = requests.filter((r) => r.startsWith(url)).map((r) => r.slice(url.length).split("?")[0]!);
    expect(local.some((p) => /train-worker|weights\.bin|tokenizer\.json|\.wasm$/.test(p))).toBe(false);
    const code = local
      .filter((p) => p === "" || /^assets\/.*\.(js|css)$/.test(p))
      .map((p) => (p === "" ? "index.html" : p));
    expect(code.some((p) => p.includes("check-worker"))).toBe(true);
    const gzip = code.reduce((s, p) => s + gzipSync(readFileSync(join(DIST, p)), { level: 9 }).byteLength, 0);
    process.stdout.write(
      `first load: ${code.join(", ")}: ${(gzip / 1024).toFixed(1)} KB gzipped (budget ${FIRST_LOAD_BUDGET / 1024} KB)\n`,
    );
    expect(gzip).toBeLessThan(FIRST_LOAD_BUDGET);
  });

  it("opens the user's model folder, data and spec, and shows a misspelt adapter as adapt check does", async () => {
    writeFileSync(join(dir, "spec.adapt"), tinySpec());
    const model = (await page.$("input#pick-model"))!;
    await model.uploadFile(join(dir, "tiny"));
    await page.waitForFunction(() => document.getElementById("files")!.textContent!.includes("tiny/weights.bin"), {
      timeout: 20_000,
    });
    const data = (await page.$("input#pick-data"))!;
    await data.uploadFile(...["train.jsonl", "dev.jsonl", "test.jsonl"].map((f) => join(dir, f)));
    await (await page.$("input#pick-spec"))!.uploadFile(join(dir, "spec.adapt"));
    await page.waitForFunction(() => document.getElementById("spec-name")!.textContent === "spec.adapt", {
      timeout: 20_000,
    });
    await typeSpec(tinySpec("houlsbby"));
    writeFileSync(join(dir, "spec.adapt"), tinySpec("houlsbby"));
    const cli = await runCli(["check", "spec.adapt"], dir);
    expect(cli.code).toBe(1);
    const shown = await page.$eval("#diagnostics", (e) => e.textContent!);
    expect(shown).toContain("error[ADAPT101]: adapter `houlsbby` is not declared");
    expect(shown).toContain("help: did you mean `houlsby`?");
    expect(shown.trim()).toBe(cli.err.trim());
    expect(await page.$(".cm-lintRange-error")).not.toBeNull();
    expect(await page.$eval("#train", (b) => (b as HTMLButtonElement).disabled)).toBe(true);
  });

  it("shows adapt explain's totals once the spec is fixed", async () => {
    await typeSpec(tinySpec());
    writeFileSync(join(dir, "spec.adapt"), tinySpec());
    expect(await page.$eval("#diagnostics", (e) => e.textContent)).toBe("no problems");
    const explain = await runCli(["explain", "spec.adapt"], dir);
    const totals = explain.out.split("\n").find((l) => l.startsWith("trainable params:"));
    expect(totals).toBeDefined();
    expect(await page.$eval("#totals", (e) => e.textContent)).toBe(totals);
    expect(await page.$$eval(".layer.has-site", (els) => els.length)).toBe(12);
  });

  it("shows a folder without model.json and a bad data row as coded diagnostics", async () => {
    mkdirSync(join(dir, "notes"));
    writeFileSync(join(dir, "notes/readme.txt"), "not a model");
    await (await page.$("input#pick-model"))!.uploadFile(join(dir, "notes"));
    await page.waitForFunction(() => document.getElementById("file-problems")!.textContent!.includes("ADAPT992"), {
      timeout: 20_000,
    });
    expect(await page.$eval("#file-problems", (e) => e.textContent)).toContain(
      "error[ADAPT992]: the picked files have no model.json (`notes/readme.txt`)",
    );

    renameSync(join(dir, "dev.jsonl"), join(dir, "dev.good"));
    writeFileSync(join(dir, "dev.jsonl"), '{"sentence": "fine", "label": "pos"}\n{"sentence": "broken"\n');
    await (await page.$("input#pick-data"))!.uploadFile(join(dir, "dev.jsonl"));
    await page.select("#backend-choice", "wasm");
    await page.click("#train");
    await page.waitForFunction(() => document.getElementById("status")!.dataset["state"] === "failed", {
      timeout: 60_000,
    });
    const shown = await page.$eval("#train-diagnostics", (e) => e.textContent!);
    expect(shown).toMatch(/error\[ADAPT902\]: this line is not valid JSON: .*\n --> \/workspace\/dev\.jsonl:2:1/);
    renameSync(join(dir, "dev.good"), join(dir, "dev.jsonl"));
    await (await page.$("input#pick-data"))!.uploadFile(join(dir, "dev.jsonl"));
  });

  it("trains the tiny model on wasm with a falling loss, and the downloaded artifact passes adapt eval", async () => {
    await page.select("#backend-choice", "wasm");
    await page.click("#train");
    await page.waitForFunction(
      () => ["done", "failed", "interrupted"].includes(document.getElementById("status")!.dataset["state"]!),
      { timeout: 120_000 },
    );
    const problems = await page.$eval("#train-diagnostics", (e) => e.textContent);
    expect(problems).toBe("");
    expect(await page.$eval("#status", (e) => (e as HTMLElement).dataset["state"])).toBe("done");
    expect(await page.$eval("#backend", (e) => e.textContent)).toBe("backend: wasm");
    const losses = (await page.$eval("#status", (e) => (e as HTMLElement).dataset["losses"]!)).split(",").map(Number);
    expect(losses.length).toBe(18);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-3))).toBeLessThan(mean(losses.slice(0, 3)));
    const test = await page.$eval("#test", (e) => e.textContent!);
    const accuracy = /accuracy (\d\.\d{4})/.exec(test)?.[1];
    expect(accuracy).toBeDefined();

    const out = join(dir, "runs/tiny");
    mkdirSync(out, { recursive: true });
    const cdp = await page.createCDPSession();
    await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: out });
    const links = await page.$$("#downloads a");
    expect(links.length).toBe(4);
    for (const a of links) await a.click();
    const wanted = ["adapter.safetensors", "adapter.json", "run.json", "log.jsonl"].map((f) => join(out, f));
    await page.waitForFunction(() => true);
    for (let i = 0; i < 100 && !wanted.every((f) => existsSync(f)); i++) await new Promise((r) => setTimeout(r, 100));
    expect(wanted.filter((f) => !existsSync(f))).toEqual([]);
    const evaluated = await runCli(["eval", "runs/tiny", "--data", "test.jsonl"], dir);
    expect(evaluated.err).not.toContain("error[");
    expect(evaluated.code).toBe(0);
    expect(evaluated.out).toContain(`accuracy: ${accuracy}`);

    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    process.stdout.write(`playground screenshot: ${SCREENSHOT}\n`);
  }, 180_000);
});
