#!/usr/bin/env bash
# The quantization experiments of docs/quantization.md on full Fashion-MNIST, one after the other.
#
# Usage: zoo/scripts/quantization_experiments.sh MODELS_DIR OUT_DIR [GROUP ...]
#   MODELS_DIR holds lenet5.mnw (./minnow train lenet5 --out MODELS_DIR/lenet5.mnw) and, for the
#   group mnv2, mnv2.mnw (a narrow MobileNet V2, trained by the group mnv2-train:
#   ./minnow train mobilenet_v2 --width 0.3 --epochs $MNV2_EPOCHS --out MODELS_DIR/mnv2.mnw).
#   OUT_DIR receives one JSON file per experiment (the --json output) and its log; quantized models
#   go to OUT_DIR/models.
#   GROUP: lenet5, mnv2-train, mnv2 (default: lenet5 and mnv2); a single experiment by its name
#   also works, e.g. lenet5-int8-qat.
# Each experiment is one ./minnow command; docs/quantization.md names it next to its table.
# Environment: THREADS (default 2), MNV2_EPOCHS (default 2).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
models="${1:?models directory}"
out="${2:?output directory}"
shift 2
groups=("$@")
[[ ${#groups[@]} -eq 0 ]] && groups=(lenet5 mnv2)
threads="${THREADS:-2}"
mkdir -p "$out/models"
minnow="$root/minnow"

has() { [[ " ${groups[*]} " == *" $1 "* ]]; }

# run NAME GROUP ARGS...: ./minnow ARGS --json > OUT/NAME.json, progress in OUT/NAME.log
run() {
  local name="$1" group="$2"
  shift 2
  if ! has "$group" && ! has "$name"; then
    return 0
  fi
  echo "== $name: ./minnow $*" >&2
  "$minnow" "$@" --json >"$out/$name.json" 2>"$out/$name.log"
}

l5="$models/lenet5.mnw"
run lenet5-int8 lenet5 quantize "$l5" --threads "$threads" --out "$out/models/lenet5-int8.mnw"
run lenet5-int8-per-tensor lenet5 quantize "$l5" --mode int8-per-tensor --threads "$threads" \
  --out "$out/models/lenet5-int8-pt.mnw"
run lenet5-int8-entropy lenet5 quantize "$l5" --observer entropy --threads "$threads" \
  --out "$out/models/lenet5-int8-entropy.mnw"
run lenet5-int8-onnx lenet5 quantize "$l5" --threads "$threads" --out "$out/models/lenet5-int8.onnx"
run lenet5-fp16 lenet5 quantize "$l5" --mode fp16 --threads "$threads" --out "$out/models/lenet5-fp16.mnw"
run lenet5-int16 lenet5 quantize "$l5" --mode int16 --threads "$threads" --out "$out/models/lenet5-int16.mnw"
run lenet5-int8-qat lenet5 quantize "$l5" --mode int8-qat --epochs 1 --threads "$threads" \
  --out "$out/models/lenet5-qat.mnw"

run mnv2-train mnv2-train train mobilenet_v2 --width 0.3 --epochs "${MNV2_EPOCHS:-2}" --threads "$threads" \
  --out "$models/mnv2.mnw"
m2="$models/mnv2.mnw"
run mnv2-int8 mnv2 quantize "$m2" --threads "$threads" --out "$out/models/mnv2-int8.mnw"
run mnv2-int8-per-tensor mnv2 quantize "$m2" --mode int8-per-tensor --threads "$threads" \
  --out "$out/models/mnv2-int8-pt.mnw"
run mnv2-fp16 mnv2 quantize "$m2" --mode fp16 --threads "$threads" --out "$out/models/mnv2-fp16.mnw"
