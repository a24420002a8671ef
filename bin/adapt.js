#!/usr/bin/env node
// The `adapt` command: runs the compiled CLI in dist/ (built by scripts/build-cli.mjs at `npm ci` and
// `npm pack` through the `prepare` script). In a checkout whose TypeScript sources are newer than the
// build, it rebuilds first (about a second), so an edit is never run stale.
import { existsSync, readFileSync } from "node:fs";

const dist = new URL("../dist/main.js", import.meta.url);
const stamp = new URL("../dist/build.json", import.meta.url);
const sources = new URL("../cli/main.ts", import.meta.url);

function builtFrom() {
  try {
    return JSON.parse(readFileSync(stamp, "utf8")).sourcesNewest;
  } catch {
    return null;
  }
}

const built = existsSync(dist) ? builtFrom() : null;
if (existsSync(sources) && process.env["ADAPT_NO_REBUILD"] === undefined) {
  const build = await import("../scripts/build-cli.mjs").catch(() => null);
  if (build !== null && (built === null || build.newestSource() > built)) {
    try {
      await build.buildCli();
    } catch (e) {
      if (built === null) throw e;
      process.stderr.write(
        `adapt: rebuilding dist/ failed (${e instanceof Error ? e.message.split("\n")[0] : e}); running the previous build\n`,
      );
    }
  }
}
const { main } = await import(dist.href);
process.exitCode = await main(process.argv.slice(2));
