#!/bin/sh
# Runs on the GPU machine, from the unpacked gpu-bench folder: Node from node.gz, the benchmark on
# WebGPU (Dawn over Vulkan), then steps/s against the wasm baseline measured where it was packed.
# STEPS (default 20) sets the number of timed steps. Prints JSON lines; exits non-zero without a GPU.
set -eu
D="$(cd "$(dirname "$0")" && pwd)"
[ -x "$D/node" ] || { gzip -dc "$D/node.gz" > "$D/node" && chmod +x "$D/node"; }
for z in "$D"/node_modules/webgpu/dist/*/dawn.node.gz; do [ -f "${z%.gz}" ] || gzip -dc "$z" > "${z%.gz}"; done
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 '; then
  export LD_LIBRARY_PATH="$D/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
echo "vulkan ICDs: $(ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>/dev/null | tr '\n' ' ')" >&2
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version --format=csv,noheader >&2 || true
cd "$D"
"$D/node" "$D/gpu-step.mjs" --backend webgpu --steps "${STEPS:-20}" | tail -n1 > "$D/result-webgpu.json"
cat "$D/result-webgpu.json"
"$D/node" -e '
  const [g, w] = ["result-webgpu.json", "baseline-wasm.json"].map((f) => JSON.parse(require("fs").readFileSync(f, "utf8")));
  if (g.error) { console.log(JSON.stringify(g)); process.exit(1); }
  if (/llvmpipe|lavapipe|swiftshader|software/i.test(g.detail)) { console.log(JSON.stringify({ error: "software adapter, not a GPU: " + g.detail })); process.exit(2); }
  console.log(JSON.stringify({ gpu: g.detail, webgpuStepsPerSecond: g.stepsPerSecond, wasmStepsPerSecond: w.stepsPerSecond,
    ratio: g.stepsPerSecond / w.stepsPerSecond, lossWebgpu: g.loss, lossWasm: w.loss }));'
