/**
 * Builds the `adapt` command's JavaScript: cli/main.ts and everything it imports, bundled by esbuild into
 * dist/ as ES modules, one chunk per dynamically imported module group, so that `adapt check` loads only
 * the compiler and `adapt run` loads the runtime (and tfjs) when it reaches its `import()`. Run by the package's `prepare` script (at `npm ci` and `npm pack`), and by
 * bin/adapt.js when a source file is newer than the build. Writes to a temporary folder, then renames.
 * Usage: `node scripts/build-cli.mjs`.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (the package folder). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The folders whose TypeScript the CLI is built from. */
export const SOURCE_DIRS = ["cli", "compiler", "grammar", "runtime"];

/** The build's output folder and its stamp (written last, so a stamp means a whole build). */
export const DIST = join(ROOT, "dist");
export const STAMP = join(DIST, "build.json");

/**
 * Packages left to node_modules: the runtime's (tfjs, its backends, the tokenizer, WebGPU), loaded only by
 * the commands that train or evaluate. The front end's pure-JS packages (chevrotain with lodash-es, yaml,
 * ajv) are bundled in: loading chevrotain from node_modules resolves hundreds of lodash-es modules, about
 * 0.3 s of every `adapt check`.
 */
export const EXTERNAL = ["@tensorflow/*", "@huggingface/*", "webgpu", "esbuild", "tsx"];

/** The esbuild options of the build; `outdir` and `metafile` chosen by the caller. */
export function buildOptions(outdir) {
  return {
    entryPoints: { main: join(ROOT, "cli/main.ts") },
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    external: EXTERNAL,
    chunkNames: "chunks/[name]-[hash]",
    sourcemap: "linked",
    // The bundled CommonJS packages (ajv, yaml) require Node's built-ins, which ES modules get through this.
    banner: {
      js: 'import { createRequire as __adaptCreateRequire } from "node:module"; const require = __adaptCreateRequire(import.meta.url);',
    },
    logLevel: "warning",
  };
}

/** The newest modification time (ms) of a source file the CLI is built from, skipping tests. */
export function newestSource(root = ROOT) {
  let newest = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name === "__tests__" || e.name === "node_modules") continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts")) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of SOURCE_DIRS) walk(join(root, d));
  return newest;
}

/** Builds dist/ from the sources; returns the number of files written. */
export async function buildCli() {
  const esbuild = await import("esbuild");
  const tmp = `${DIST}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    const newest = newestSource();
    const result = await esbuild.build({ ...buildOptions(tmp), metafile: true });
    writeFileSync(join(tmp, "build.json"), `${JSON.stringify({ sourcesNewest: newest, builtAt: Date.now() })}\n`);
    const old = `${DIST}.old-${process.pid}`;
    try {
      renameSync(DIST, old);
    } catch {
      /* no previous build, or another process moved it */
    }
    try {
      renameSync(tmp, DIST);
    } catch (e) {
      if (!existsSync(STAMP)) throw e;
      rmSync(tmp, { recursive: true, force: true });
    }
    rmSync(old, { recursive: true, force: true });
    return Object.keys(result.metafile.outputs).length;
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const n = await buildCli();
  process.stderr.write(`built ${n} files in dist/\n`);
}
