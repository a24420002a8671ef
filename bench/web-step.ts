/**
 * The playground's training speed against the CLI's, on the same backend kind (wasm), in one run: the
 * bundled example's model and spec on the first N training rows, trained by the runtime's session in
 * Node (as `adapt run --backend wasm` does) and in headless chromium through the page (picked files,
 * backend wasm). Steps/s are timed from the first step's end to the last's (compilation and loading
 * excluded on both sides). Needs Debian's chromium. Usage: `npx tsx bench/web-step.ts [rows] [batch]`
 * (defaults 192 32: six steps).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer from "puppeteer-core";
import { compileText } from "../compiler/compile.ts";
import { tryWasm } from "../runtime/backend/wasm.ts";
import { runSession } from "../runtime/train/session.ts";
import { modelFileLoader } from "../cli/files.ts";
import { ensureBuilt, findChromium, serveSite } from "../web/__tests__/browser.ts";

const ROWS = Number(process.argv[2] ?? 192);
const BATCH = Number(process.argv[3] ?? 32);
const EXAMPLE = join(import.meta.dirname, "..", "examples/sentiment");

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), "adapt-web-bench-"));
  mkdirSync(join(dir, "model"));
  for (const f of [
    "model.json",
    "weights.bin",
    "tokenizer.json",
    "tokenizer_config.json",
    "config.json",
    "special_tokens_map.json",
  ]) {
    copyFileSync(join(EXAMPLE, "model", f), join(dir, "model", f));
  }
  const lines = readFileSync(join(EXAMPLE, "data/train.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l !== "");
  writeFileSync(join(dir, "train.jsonl"), `${lines.slice(0, ROWS).join("\n")}\n`);
  const spec = readFileSync(join(EXAMPLE, "houlsby.adapt"), "utf8")
    .replace(/data\s+train:[^\n]*/, 'data train: "train.jsonl", text: "sentence", label: "label"')
    .replace(/batch\s+\d+/, `batch ${BATCH}`)
    .replace(/select[^\n]*\n/, "")
    .replace(/model "[^"]*"/, 'model "model/model.json"');
  writeFileSync(join(dir, "spec.adapt"), spec);
  return dir;
}

/** Steps per second between the first and the last step's end. */
function stepsPerSec(times: readonly number[]): number {
  return (times.length - 1) / ((times.at(-1)! - times[0]!) / 1000);
}

async function cli(dir: string): Promise<number> {
  const attempt = await tryWasm();
  if (!attempt.ok) throw new Error(`wasm: ${attempt.reason}`);
  const text = readFileSync(join(dir, "spec.adapt"), "utf8");
  const compiled = await compileText(text, join(dir, "spec.adapt"), { loader: modelFileLoader(dir), purpose: "run" });
  if (compiled.value.plan === null) throw new Error(JSON.stringify(compiled.diagnostics));
  const times: number[] = [];
  const r = await runSession(compiled.value.plan, {
    specDir: dir,
    resume: false,
    onEvent: (e) => void (e.type === "step" && times.push(performance.now())),
  });
  if (r.value === null) throw new Error(JSON.stringify(r.diagnostics));
  return stepsPerSec(times);
}

async function page(dir: string, executablePath: string): Promise<number> {
  await ensureBuilt();
  const { url, server } = await serveSite();
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
  try {
    const p = await browser.newPage();
    await p.goto(url);
    await p.waitForFunction(() => document.getElementById("check-state")?.textContent === "checked", {
      timeout: 60_000,
    });
    await (await p.$("input#pick-model"))!.uploadFile(join(dir, "model"));
    await (await p.$("input#pick-data"))!.uploadFile(join(dir, "train.jsonl"));
    await (await p.$("input#pick-spec"))!.uploadFile(join(dir, "spec.adapt"));
    await p.waitForFunction(
      () =>
        !(document.getElementById("train") as HTMLButtonElement).disabled &&
        document.getElementById("spec-name")!.textContent === "spec.adapt",
      { timeout: 60_000 },
    );
    await p.select("#backend-choice", "wasm");
    await p.click("#train");
    await p.waitForFunction(() => ["done", "failed"].includes(document.getElementById("status")!.dataset["state"]!), {
      timeout: 600_000,
    });
    const state = await p.$eval("#status", (e) => (e as HTMLElement).dataset["state"]);
    if (state !== "done") throw new Error(await p.$eval("#train-diagnostics", (e) => e.textContent ?? ""));
    return stepsPerSec(
      (await p.$eval("#status", (e) => (e as HTMLElement).dataset["stepTimes"]!)).split(",").map(Number),
    );
  } finally {
    await browser.close();
    await server.close();
  }
}

const chromium = findChromium();
if ("reason" in chromium) {
  process.stdout.write(`bench/web-step.ts: ${chromium.reason}\n`);
} else {
  const dir = workspace();
  const steps = Math.ceil(ROWS / BATCH);
  process.stdout.write(
    `bundled example (MiniLM-L6, 12 Houlsby adapters), ${ROWS} rows, batch ${BATCH}: ${steps} steps on wasm\n`,
  );
  const node = await cli(dir);
  process.stdout.write(`  CLI (Node, wasm)          ${node.toFixed(3)} steps/s\n`);
  const browser = await page(dir, chromium.path);
  process.stdout.write(`  playground (chromium, wasm) ${browser.toFixed(3)} steps/s\n`);
  process.stdout.write(`  page / CLI: ${(browser / node).toFixed(2)}\n`);
}
