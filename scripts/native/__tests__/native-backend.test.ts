/**
 * The native TensorFlow backend built by scripts/native-backend: when it is built, tfjs-node loads, makes
 * `tensorflow` the backend and agrees with the cpu backend on the smoke computations. When it is not
 * built, that group is skipped with the reason printed. The script's own argument and wheel checks, and
 * the wheel unpacker, are tested always (they need no TensorFlow).
 */
import * as tf from "@tensorflow/tfjs";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { compareSmoke, loadTfjsNode, maxRelError, smokeValues, tensorflowVersion } from "../smoke.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SCRIPT = join(ROOT, "scripts/native-backend");
const UNPACK = join(ROOT, "scripts/native/unpack_wheel.py");

/** Why the native backend cannot be tested here, or undefined when its addon is built. */
function notBuilt(): string | undefined {
  let pkg: string;
  try {
    pkg = dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-node/package.json"));
  } catch {
    return "@tensorflow/tfjs-node is not installed (npm drops it when its libtensorflow download fails); run scripts/native-backend";
  }
  const lib = join(pkg, "lib");
  const addons = existsSync(lib) ? readdirSync(lib).filter((d) => existsSync(join(lib, d, "tfjs_binding.node"))) : [];
  return addons.length > 0 ? undefined : "the tfjs-node addon is not built; run scripts/native-backend";
}

const skipReason = notBuilt();
if (skipReason !== undefined) console.log(`[native backend] skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)(
  `native backend${skipReason === undefined ? "" : ` (skipped: ${skipReason})`}`,
  () => {
    it("loads tfjs-node and makes tensorflow the active backend", async () => {
      const line = loadTfjsNode();
      expect(await tf.setBackend("tensorflow")).toBe(true);
      expect(tf.getBackend()).toBe("tensorflow");
      expect(tensorflowVersion()).toMatch(/^\d+\.\d+/);
      expect(line).toContain("tfjs-node");
    });

    it("agrees with the cpu backend on a matMul and one gradient step", async () => {
      loadTfjsNode();
      await tf.setBackend("tensorflow");
      const native = smokeValues();
      await tf.setBackend("cpu");
      const checks = compareSmoke(native, smokeValues());
      expect(checks.map((c) => c.what)).toHaveLength(4);
      for (const c of checks) expect(c.maxError, c.what).toBeLessThanOrEqual(1e-4);
      expect(native.loss).toBeGreaterThan(0);
    });
  },
);

describe("maxRelError", () => {
  it("is relative above 1 and absolute below, and infinite on NaN or a length mismatch", () => {
    expect(maxRelError([100, 0.5], [101, 0.25])).toBeCloseTo(0.25, 6);
    expect(maxRelError([Number.NaN], [1])).toBe(Number.POSITIVE_INFINITY);
    expect(maxRelError([1, 2], [1])).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("scripts/native-backend", () => {
  const run = (...args: string[]) => spawnSync("bash", [SCRIPT, ...args], { encoding: "utf8", cwd: ROOT });

  it("refuses an unknown option with exit status 2 and the usage", () => {
    const r = run("--frobnicate");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown option --frobnicate");
    expect(r.stderr).toContain("Usage: scripts/native-backend");
  });

  it("fails with exit status 1 on a missing wheel and leaves node_modules as it was", () => {
    const pkg = join(ROOT, "node_modules/@tensorflow/tfjs-node");
    const before = existsSync(pkg) ? readdirSync(pkg).sort() : [];
    const r = run("--wheel", "/nonexistent/tensorflow-0-py3-none-any.whl");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("FAILED: no wheel at /nonexistent/tensorflow-0-py3-none-any.whl");
    expect(existsSync(pkg) ? readdirSync(pkg).sort() : []).toEqual(before);
  });
});

describe("scripts/native/unpack_wheel.py", () => {
  const dir = mkdtempSync(join(tmpdir(), "adapt-unpack-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes a zip with `files` (name -> text) using Python's zipfile, as pip's wheels are zips. */
  function zip(name: string, files: Record<string, string>): string {
    const path = join(dir, name);
    const code =
      "import json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1],'w')\n" +
      "[z.writestr(k,v) for k,v in json.load(sys.stdin).items()]\nz.close()";
    const r = spawnSync("python3", ["-c", code, path], { input: JSON.stringify(files), encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    return path;
  }

  function binding(text: string): string {
    const b = mkdtempSync(join(dir, "binding-"));
    writeFileSync(join(b, "x.cc"), text);
    return b;
  }

  it("takes the libraries and the headers the binding includes, transitively, and nothing else", () => {
    const wheel = zip("tf-ok.whl", {
      "tensorflow/libtensorflow_framework.so.2": "fw",
      "tensorflow/libtensorflow_cc.so.2": "cc",
      "tensorflow/python/other.so": "no",
      "tensorflow/include/tensorflow/c/c_api.h": '#include "tensorflow/c/tf_status.h"\n#include <stdint.h>\n',
      "tensorflow/include/tensorflow/c/tf_status.h": "// leaf\n",
      "tensorflow/include/tensorflow/c/unused.h": "// not included\n",
    });
    const out = join(dir, "ok");
    const r = spawnSync(
      "python3",
      [UNPACK, wheel, out, binding('#include "tensorflow/c/c_api.h"\n#include "local.h"\n')],
      { encoding: "utf8" },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("2 libraries, 2 headers");
    expect(readdirSync(join(out, "lib")).sort()).toEqual(["libtensorflow_cc.so.2", "libtensorflow_framework.so.2"]);
    expect(readdirSync(join(out, "include/tensorflow/c")).sort()).toEqual(["c_api.h", "tf_status.h"]);
    expect(readFileSync(join(out, "lib/libtensorflow_cc.so.2"), "utf8")).toBe("cc");
  });

  it("names the header the wheel lacks", () => {
    const wheel = zip("tf-nohdr.whl", { "tensorflow/libtensorflow_framework.so.2": "fw" });
    const r = spawnSync("python3", [UNPACK, wheel, join(dir, "nohdr"), binding('#include "tensorflow/c/c_api.h"\n')], {
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("the wheel has no header tensorflow/c/c_api.h");
  });

  it("refuses a zip without TensorFlow's libraries", () => {
    const wheel = zip("not-tf.whl", { "numpy/core.so": "x" });
    const r = spawnSync("python3", [UNPACK, wheel, join(dir, "nolib"), binding("")], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("has no tensorflow/libtensorflow_framework.so*");
  });
});
