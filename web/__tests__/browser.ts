/**
 * What the playground's browser test and bench share: finding Debian's chromium, building the site when
 * its sources are newer than the build, serving web/dist, and a workspace with the tiny BERT fixture.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { preview, type PreviewServer } from "vite";
import { buildSite, DIST } from "../build.ts";

const ROOT = join(import.meta.dirname, "..", "..");

/** The chromium executable (`ADAPT_CHROMIUM` overrides), or null with the reason when there is none. */
export function findChromium(): { path: string } | { reason: string } {
  const candidates = [
    process.env["ADAPT_CHROMIUM"],
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
  ];
  const path = candidates.find((p): p is string => p !== undefined && p !== "" && existsSync(p));
  if (path !== undefined) return { path };
  return { reason: "no chromium executable (install Debian's `chromium`, or set ADAPT_CHROMIUM); .ci/run installs it" };
}

function newest(dir: string): number {
  let t = 0;
  for (const n of readdirSync(dir)) {
    if (n === "node_modules" || n === "dist" || n === "__tests__") continue;
    const p = join(dir, n);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return t;
}

/** Builds web/dist unless it is newer than every source it is built from. */
export async function ensureBuilt(): Promise<void> {
  const index = join(DIST, "index.html");
  const sources = Math.max(
    ...["web", "grammar", "compiler", "runtime", "editors/generate"].map((d) => newest(join(ROOT, d))),
    statSync(join(ROOT, "package-lock.json")).mtimeMs,
  );
  if (existsSync(index) && statSync(index).mtimeMs > sources) return;
  await buildSite(true);
}

/** Serves web/dist on a free local port; its URL and the server. */
export async function serveSite(): Promise<{ url: string; server: PreviewServer }> {
  const server = await preview({
    configFile: join(ROOT, "web/vite.config.ts"),
    logLevel: "error",
    preview: { port: 0, host: "127.0.0.1" },
  });
  const url = server.resolvedUrls?.local[0];
  if (url === undefined) throw new Error("the preview server has no local URL");
  return { url, server };
}

/** Rows of a small two-class sentiment set the tiny model learns within a few steps. */
function rows(n: number): string {
  const good = ["the movie was great good", "great good acting", "good great plot"];
  const bad = ["the plot was bad", "bad acting was bad", "the movie bad"];
  return (
    Array.from({ length: n }, (_, i) =>
      JSON.stringify({ sentence: (i % 2 ? good : bad)[i % 3], label: i % 2 ? "pos" : "neg" }),
    ).join("\n") + "\n"
  );
}

/** A folder with `tiny/` (the tiny BERT fixture and a tokenizer) and train/dev/test data. */
export function tinyWorkspace(): string {
  const dir = mkdtempSync(join(tmpdir(), "adapt-web-"));
  mkdirSync(join(dir, "tiny"));
  for (const f of ["model.json", "weights.bin"])
    copyFileSync(join(ROOT, "compiler/__tests__/fixtures/tiny-bert", f), join(dir, "tiny", f));
  copyFileSync(join(ROOT, "runtime/tokenize/__tests__/fixtures/tokenizer.json"), join(dir, "tiny", "tokenizer.json"));
  writeFileSync(join(dir, "train.jsonl"), rows(48));
  writeFileSync(join(dir, "dev.jsonl"), rows(12));
  writeFileSync(join(dir, "test.jsonl"), rows(12));
  return dir;
}

/** The tiny spec, with `adapter` as the name its `insert` uses (a misspelling makes ADAPT101). */
export function tinySpec(adapter = "houlsby"): string {
  return [
    'model "tiny/model.json"',
    "adapter houlsby = bottleneck(size: 4)",
    `insert ${adapter} after "encoder.layer.*.output.dense" expect 12`,
    'train "**.LayerNorm"',
    "head classifier(classes: 2, pool: mean)",
    "plan {",
    'data train: "train.jsonl", validation: "dev.jsonl", test: "test.jsonl", text: "sentence", label: "label"',
    "optimizer adamw(lr: 0.02)",
    "epochs 3",
    "batch 8",
    "max_length 16",
    "seed 3",
    'output "runs/tiny"',
    "}",
    "",
  ].join("\n");
}
