#!/usr/bin/env node
// The `adapt` command: runs the compiled CLI in dist/ (built by scripts/build-cli.mjs at `npm ci` and
// `npm pack` through the `prepare` script). In a checkout whose TypeScript sources are newer than the
// build, it rebuilds first (about a second), so an edit is never run stale.
import { existsSync, readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";

/**
 * Relaxed SIMD, whose fused multiply-add the wasm product kernels use (runtime/backend/wasm-fma.ts), is
 * on from Node 22 and behind a V8 flag in Node 20; the flag must be set before any WebAssembly compiles,
 * so here. `ADAPT_WASM_FMA=off` leaves it alone. The probe is a function of one relaxed_madd.
 */
function enableRelaxedSimd() {
  const zero = [0xfd, 0x0c, ...new Array(16).fill(0)];
  const body = [0, ...zero, ...zero, ...zero, 0xfd, 0x85, 0x02, 0x1a, 0x0b];
  const header = [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0];
  const probe = new Uint8Array([...header, 10, body.length + 2, 1, body.length, ...body]);
  if (process.env["ADAPT_WASM_FMA"] === "off" || WebAssembly.validate(probe)) return;
  setFlagsFromString("--experimental-wasm-relaxed-simd");
}

enableRelaxedSimd();

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
