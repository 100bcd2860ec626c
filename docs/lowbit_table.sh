#!/usr/bin/env bash
# Reproduces the accuracy/size table of docs/lowbit-quantization.md (section 6): LeNet-5 on full
# Fashion-MNIST quantized to ternary, binary and XNOR weights, without training (--epochs 0) and
# with straight-through training. Prints one JSON line per run.
#
#   docs/lowbit_table.sh [MODEL.mnw] [OUT_DIR]      (defaults: models/lenet5.mnw, /tmp/minnow-lowbit)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="${1:-$root/models/lenet5.mnw}"
out="${2:-/tmp/minnow-lowbit}"
mkdir -p "$out"
for run in "ternary 0" "ternary 2" "binary 0" "binary 2" "xnor 0" "xnor 2"; do
  read -r mode epochs <<<"$run"
  "$root/minnow" quantize "$model" --mode "$mode" --epochs "$epochs" --lr 0.01 --threads 2 \
      --out "$out/lenet5-$mode-e$epochs.mnw" --json 2>/dev/null
done
