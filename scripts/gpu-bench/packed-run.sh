#!/bin/sh
# Runs on a GPU machine without Node or network, from the folder scripts/gpu-bench/pack made (copied
# there as run.sh): Node from node.gz, dawn.node, a Vulkan loader if the machine has none, then the
# benchmark (bench.mjs) on every path side by side in this run: wasm and webgpu measured here; native
# and cuda print "not measured" (libtensorflow, 1.2 GB and more, is not packed: scripts/gpu-bench/run.sh
# in a checkout measures them). Arguments go to bench.mjs: [--steps N] [--paths LIST] [--json FILE].
set -eu
D="$(cd "$(dirname "$0")" && pwd)"
[ -x "$D/node" ] || { gzip -dc "$D/node.gz" > "$D/node" && chmod +x "$D/node"; }
for z in "$D"/node_modules/webgpu/dist/*/dawn.node.gz; do [ -f "${z%.gz}" ] || gzip -dc "$z" > "${z%.gz}"; done
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 '; then
  export LD_LIBRARY_PATH="$D/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
echo "vulkan ICDs: $(ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>/dev/null | tr '\n' ' ')" >&2
gpus="$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | paste -sd ';' || true)"
echo "machine: $(uname -m), $(nproc) cores, node $("$D/node" --version), GPU: ${gpus:-none seen}"
cd "$D"
ADAPT_WASM_DIR="$D/wasm/" exec "$D/node" "$D/bench.mjs" "$@"
