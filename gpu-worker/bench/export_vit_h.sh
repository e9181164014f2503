#!/usr/bin/env bash
# Export the full-size CLIP ViT-H/14 image encoder (IP-Adapter SD 1.5's, random weights) to ONNX
# for the app's CPU benchmark:  bash gpu-worker/bench/export_vit_h.sh /tmp/vit-h
# Writes DIR/encoder.onnx (graph, ~0.4 MB), DIR/encoder.onnx.data (weights, ~2.5 GB: keep the
# two together) and DIR/encoder.json (sidecar). About 1 minute and 3.5 GB RAM on 2 CPU cores.
set -euo pipefail
out="${1:?usage: export_vit_h.sh OUT_DIR [SEED]}"
seed="${2:-0}"
here="$(cd "$(dirname "$0")/.." && pwd)"
bash "$here/scripts/setup.sh"
mkdir -p "$out"
HF_HUB_OFFLINE=1 "$here/.venv/bin/python" -m adapter_worker.export_onnx --full-size-vit-h --seed "$seed" \
  --out "$out/encoder.onnx"
