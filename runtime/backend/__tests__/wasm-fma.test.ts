/**
 * wasm-fma.ts: enableRelaxedSimd sets the flag where relaxed SIMD is off (and nothing where it is on),
 * relaxed SIMD then compiles, the probe says whether its multiply-add rounds
 * once, and the product kernels use it unless `ADAPT_WASM_FMA=off`; bin/adapt.js turns the flag on before
 * anything compiles in the processes it starts, and leaves it alone with `ADAPT_WASM_FMA=off`.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { describe, expect, it } from "vitest";
import {
  enableRelaxedSimd,
  fusedProducts,
  multiplyAddFuses,
  probeBytes,
  RELAXED_SIMD_FLAG,
  relaxedSimd,
} from "../wasm-fma.ts";

const BIN = join(import.meta.dirname, "../../../bin/adapt.js");

/** Whether relaxed SIMD compiles in `node [preload] [bin/adapt.js --version]` with `env` added. */
function compilesIn(throughBin: boolean, env: Record<string, string> = {}): boolean {
  const check = `console.log("relaxed", WebAssembly.validate(new Uint8Array(${JSON.stringify([...probeBytes()])})))`;
  const args = throughBin
    ? ["--import", `data:text/javascript,process.on("exit", () => ${check})`, BIN, "--version"]
    : ["-e", check];
  const r = spawnSync(process.execPath, args, { encoding: "utf8", env: { ...process.env, ...env } });
  expect(r.status).toBe(0);
  return /relaxed true/.test(r.stdout);
}

const flagsSet: string[] = [];
const enabled = enableRelaxedSimd((flag) => {
  flagsSet.push(flag);
  setFlagsFromString(flag);
});

describe("fused multiply-add", () => {
  it("turns relaxed SIMD on where it is off, and sets nothing where it is on", () => {
    expect(enabled).toBe(true);
    expect(flagsSet).toEqual(compilesIn(false) ? [] : [RELAXED_SIMD_FLAG]);
    expect(enableRelaxedSimd(() => flagsSet.push("again"))).toBe(true);
    expect(flagsSet).not.toContain("again");
  });

  it("compiles relaxed SIMD, and says whether its multiply-add rounds once", () => {
    expect(WebAssembly.validate(probeBytes())).toBe(true);
    expect(relaxedSimd()).toBe(true);
    expect(typeof multiplyAddFuses()).toBe("boolean");
  });

  it("fuses the products unless ADAPT_WASM_FMA is off", () => {
    expect(fusedProducts({})).toBe(true);
    expect(fusedProducts({ ADAPT_WASM_FMA: "on" })).toBe(true);
    expect(fusedProducts({ ADAPT_WASM_FMA: "off" })).toBe(false);
  });

  it("is on in the processes bin/adapt.js starts, and as Node has it with ADAPT_WASM_FMA=off", () => {
    const byDefault = compilesIn(false);
    expect(compilesIn(true)).toBe(true);
    expect(compilesIn(true, { ADAPT_WASM_FMA: "off" })).toBe(byDefault);
  });
});
