/**
 * scripts/native/cuda_wheels.py (the CUDA libraries a TensorFlow wheel asks for, and their layout) and
 * scripts/native-backend's --gpu options, on small zip files made here: no NVIDIA wheel is needed.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SCRIPT = join(ROOT, "scripts/native-backend");
const CUDA = join(ROOT, "scripts/native/cuda_wheels.py");
const dir = mkdtempSync(join(tmpdir(), "adapt-cuda-wheels-"));
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

const cuda = (...args: string[]) => spawnSync("python3", [CUDA, ...args], { encoding: "utf8" });

const METADATA = [
  "Metadata-Version: 2.1",
  "Name: tensorflow",
  "Requires-Dist: numpy>=1.26.0",
  'Requires-Dist: nvidia-cublas-cu12<13.0,>=12.5.3.2; extra == "and-cuda"',
  'Requires-Dist: nvidia-cudnn-cu12 <10.0, >=9.3.0.75; extra == "and-cuda"',
  'Requires-Dist: tensorflow-io-gcs-filesystem>=0.23.1; extra == "gcs-filesystem"',
  "",
].join("\n");

describe("cuda_wheels.py requirements", () => {
  it("lists the nvidia-* requirements of the and-cuda extra, nothing else", () => {
    const wheel = zip("tensorflow-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl", {
      "tensorflow-2.21.0.dist-info/METADATA": METADATA,
    });
    const r = cuda("requirements", wheel);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual([
      "nvidia-cublas-cu12<13.0,>=12.5.3.2",
      "nvidia-cudnn-cu12<10.0,>=9.3.0.75",
    ]);
  });

  it("refuses a wheel that is not a CUDA build", () => {
    const wheel = zip("tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl", {
      "tensorflow_cpu-2.21.0.dist-info/METADATA": "Name: tensorflow-cpu\nRequires-Dist: numpy\n",
    });
    const r = cuda("requirements", wheel);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("has no `and-cuda` extra: it is not a CUDA build of TensorFlow");
  });
});

describe("cuda_wheels.py unpack", () => {
  it("keeps pip's nvidia/<name>/lib layout and takes only the shared libraries", () => {
    const cublas = zip("nvidia_cublas_cu12-12.9.3.13-py3-none-manylinux_2_27_x86_64.whl", {
      "nvidia/cublas/lib/libcublas.so.12": "cublas",
      "nvidia/cublas/lib/libcublasLt.so.12": "lt",
      "nvidia/cublas/include/cublas.h": "// header",
      "nvidia/__init__.py": "",
      "nvidia_cublas_cu12-12.9.3.13.dist-info/METADATA": "Name: nvidia-cublas-cu12\n",
    });
    const runtime = zip("nvidia_cuda_runtime_cu12-12.9.79-py3-none-manylinux2014_x86_64.whl", {
      "nvidia/cuda_runtime/lib/libcudart.so.12": "cudart",
      "nvidia/cuda_runtime/bin/tool": "no",
    });
    const out = join(dir, "unpacked");
    const r = cuda("unpack", out, cublas, runtime);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("3 libraries from 2 wheels");
    expect(readdirSync(join(out, "nvidia")).sort()).toEqual(["cublas", "cuda_runtime"]);
    expect(readdirSync(join(out, "nvidia/cublas")).sort()).toEqual(["lib"]);
    expect(readdirSync(join(out, "nvidia/cublas/lib")).sort()).toEqual(["libcublas.so.12", "libcublasLt.so.12"]);
    expect(readFileSync(join(out, "nvidia/cuda_runtime/lib/libcudart.so.12"), "utf8")).toBe("cudart");
  });

  it("refuses wheels without libraries and files that are not wheels", () => {
    const empty = zip("nvidia_nothing-1-py3-none-any.whl", { "nvidia/x/include/x.h": "" });
    expect(cuda("unpack", join(dir, "none"), empty).stderr).toContain("none of the wheels has libraries");
    const r = cuda("unpack", join(dir, "bad"), join(dir, "missing.whl"));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("is not a readable wheel");
  });
});

describe("scripts/native-backend --gpu options", () => {
  const run = (...args: string[]) => spawnSync("bash", [SCRIPT, ...args], { encoding: "utf8", cwd: ROOT });

  it("wants --gpu with --cuda-wheels, and an existing folder", () => {
    const alone = run("--cuda-wheels", dir);
    expect(alone.status).toBe(2);
    expect(alone.stderr).toContain("--cuda-wheels needs --gpu");
    const missing = run("--gpu", "--cuda-wheels", "/nonexistent/cuda-wheels");
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("FAILED: no folder at /nonexistent/cuda-wheels");
  });
});
