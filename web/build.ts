/**
 * Builds the playground into web/dist: Vite's bundle, the bundled example (examples/sentiment) with an
 * index of its files, and tfjs-backend-wasm's .wasm files. Prints the first load's size (the page, the
 * editor and the checker with the compiler; not TensorFlow.js, not the model), gzipped. Usage:
 * `npx tsx web/build.ts`.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "vite";

const WEB = fileURLToPath(new URL(".", import.meta.url));
const ROOT = join(WEB, "..");
/** The built site. */
export const DIST = join(WEB, "dist");
const EXAMPLE = join(ROOT, "examples/sentiment");
/** The first load must stay under this many gzipped bytes. */
export const FIRST_LOAD_BUDGET = 500 * 1024;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
}

function copyExample(): void {
  const out = join(DIST, "examples/sentiment");
  const files = walk(EXAMPLE)
    .map((f) => relative(EXAMPLE, f))
    .filter((f) => !f.startsWith("runs/") && f !== "README.md" && f !== "houlsby.adapt");
  for (const f of [...files, "houlsby.adapt"]) {
    mkdirSync(dirname(join(out, f)), { recursive: true });
    copyFileSync(join(EXAMPLE, f), join(out, f));
  }
  const index = {
    spec: "houlsby.adapt",
    files: files.sort().map((path) => ({ path, size: statSync(join(EXAMPLE, path)).size })),
  };
  writeFileSync(join(out, "files.json"), `${JSON.stringify(index, null, 1)}\n`);
}

function copyWasm(): void {
  const dir = dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm"));
  mkdirSync(join(DIST, "wasm"), { recursive: true });
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".wasm")))
    copyFileSync(join(dir, f), join(DIST, "wasm", f));
}

/** The files of the first load: index.html and what it pulls in before training (page, styles, checker). */
export function firstLoadFiles(): string[] {
  const html = readFileSync(join(DIST, "index.html"), "utf8");
  const direct = [...html.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => m[1]!);
  const seen = new Set<string>(["index.html"]);
  const queue = [...direct];
  while (queue.length > 0) {
    const f = queue.shift()!;
    if (seen.has(f)) continue;
    seen.add(f);
    if (!f.endsWith(".js")) continue;
    const js = readFileSync(join(DIST, f), "utf8");
    const dir = dirname(f);
    for (const m of js.matchAll(
      /(?:\bimport\s*(?:[\w*{}\s,$]+from\s*)?|\bfrom\s*|new URL\()\s*["'`]((?:\.{1,2}\/)?[\w./-]+\.js)["'`]/g,
    )) {
      const target = join(dir, m[1]!);
      if (!/train-worker/.test(target)) queue.push(target);
    }
  }
  return [...seen];
}

/** Gzipped bytes per first-load file. */
export function firstLoadSizes(): { file: string; raw: number; gzip: number }[] {
  return firstLoadFiles().map((file) => {
    const bytes = readFileSync(join(DIST, file));
    return { file, raw: bytes.byteLength, gzip: gzipSync(bytes, { level: 9 }).byteLength };
  });
}

/** Builds the site; prints the first load's files and gzipped total. */
export async function buildSite(quiet = false): Promise<number> {
  await build({ configFile: join(WEB, "vite.config.ts"), logLevel: quiet ? "error" : "warn" });
  copyExample();
  copyWasm();
  const sizes = firstLoadSizes();
  const total = sizes.reduce((s, f) => s + f.gzip, 0);
  if (!quiet) {
    for (const f of sizes)
      process.stdout.write(
        `  ${f.file.padEnd(40)} ${String(f.raw).padStart(9)} B  ${String(f.gzip).padStart(8)} B gzip\n`,
      );
    process.stdout.write(
      `first load (page, editor, checker with the compiler; no tfjs, no model): ${(total / 1024).toFixed(1)} KB gzipped, budget ${FIRST_LOAD_BUDGET / 1024} KB\n`,
    );
  }
  return total;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildSite();
