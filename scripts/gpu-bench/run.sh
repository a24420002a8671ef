#!/usr/bin/env bash
# The GPU benchmark in one command, on a Linux machine with a GPU, in this repository after `npm ci`:
# builds what the native and cuda paths need (scripts/native-backend, and where an NVIDIA driver is
# loaded scripts/native-backend --gpu; both idempotent, pip reaches PyPI the first time), prints the
# machine, then training steps/s of the MiniLM-sized block on wasm, native (libtensorflow on the CPU),
# webgpu (a hardware adapter) and cuda (libtensorflow on the GPU), each measured in this run, side by
# side with ratios against wasm and native (scripts/gpu-bench/bench.ts). A path that cannot run prints
# "not measured" and why, never a number. For a GPU machine without Node or network: scripts/gpu-bench/pack.
#
# Usage: scripts/gpu-bench/run.sh [--no-build] [--steps N] [--paths wasm,native,webgpu,cuda] [--timeout S]
#                                 [--json FILE] [--dry-run]
# --dry-run prints what would be built and run and runs nothing. ADAPT_NATIVE_CACHE is passed on to
# scripts/native-backend. Exit status: 0 the report is printed, 1 npm ci was not run, 2 bad usage.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD=1
DRY=0
ARGS=()
say() { echo "gpu-bench: $*" >&2; }
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) BUILD=0; shift ;;
    --dry-run) DRY=1; ARGS+=("$1"); shift ;;
    --steps|--paths|--timeout|--json) [[ $# -ge 2 ]] || { say "$1 needs a value"; usage; }; ARGS+=("$1" "$2"); shift 2 ;;
    -h|--help) usage ;;
    *) say "unknown option $1"; usage ;;
  esac
done

cd "$ROOT"
bench() { node --import tsx scripts/gpu-bench/bench.ts "$@"; }
# the arguments are checked before anything is built
bench --dry-run "${ARGS[@]}" >/dev/null || exit 2
[[ -f node_modules/@tensorflow/tfjs/package.json && -f node_modules/tsx/package.json ]] || { say "run \`npm ci\` first"; exit 1; }

driver=""
[[ -r /proc/driver/nvidia/version ]] && driver="$(head -n1 /proc/driver/nvidia/version)"
builds=(scripts/native-backend)
[[ -n "$driver" ]] && builds+=("scripts/native-backend --gpu")
if [[ $BUILD == 1 ]]; then
  for b in "${builds[@]}"; do
    if [[ $DRY == 1 ]]; then echo "build: $b"; continue; fi
    say "building: $b"
    $b >&2 || say "$b failed (above): the path that needs it prints not measured"
  done
fi
[[ -n "$driver" ]] || say "no NVIDIA driver is loaded here (no /proc/driver/nvidia/version): the cuda path prints not measured"

gpus="$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | paste -sd ';' || true)"
echo "machine: $(uname -m), $(nproc) cores, node $(node --version), GPU: ${gpus:-${driver:-none seen}}"
bench "${ARGS[@]}"
