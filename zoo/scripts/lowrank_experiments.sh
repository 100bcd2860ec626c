#!/usr/bin/env bash
# The low-rank experiments of docs/low-rank.md on full Fashion-MNIST, one after the other.
#
# Usage: zoo/scripts/lowrank_experiments.sh MODEL OUT_DIR [NAME ...]
#   MODEL    the trained LeNet-5 (./minnow train lenet5 --out lenet5.mnw; 91.74 % here)
#   OUT_DIR  receives NAME.json (the --json output) and NAME.log per experiment, and the
#            decomposed models as NAME.mnw
#   NAME     svd64, tucker, cp32, svd64-ft0, svd32-ft0, tucker-ft0, cp32-ft0, svd-energy
#            (default: all, in that order)
# Each experiment is one ./minnow decompose command; docs/low-rank.md names it next to its row.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
model="${1:?trained LeNet-5 .mnw}"
out="${2:?output directory}"
shift 2
names=("$@")
[[ ${#names[@]} -eq 0 ]] && names=(svd64 tucker cp32 svd64-ft0 svd32-ft0 tucker-ft0 cp32-ft0 svd-energy)
mkdir -p "$out"

run() {
  local name="$1"
  shift
  [[ " ${names[*]} " == *" $name "* ]] || return 0
  echo "== $name: ./minnow decompose $model $* --out $out/$name.mnw --json" >&2
  "$root/minnow" decompose "$model" "$@" --threads 2 --out "$out/$name.mnw" --json >"$out/$name.json" 2>"$out/$name.log"
}

# fully connected: fc1 (800 -> 500) at rank 64, 1 epoch of fine-tuning
run svd64 --svd rank=64 --layers fc1 --finetune-epochs 1
# convolutions: conv2 (20 -> 50, 5x5) by Tucker-2 at half the channels (R_in 10, R_out 25), and by CP at rank 32
run tucker --tucker ranks=0.5 --layers conv2 --finetune-epochs 1
run cp32 --cp rank=32 --layers conv2 --finetune-epochs 1
# one shot, no fine-tuning: what the decomposition alone keeps (each well under a minute)
run svd64-ft0 --svd rank=64 --layers fc1 --finetune-epochs 0
run svd32-ft0 --svd rank=32 --layers fc1 --finetune-epochs 0
run tucker-ft0 --tucker ranks=0.5 --layers conv2 --finetune-epochs 0
run cp32-ft0 --cp rank=32 --layers conv2 --finetune-epochs 0
# the rank the energy rule picks for fc1, no fine-tuning
run svd-energy --svd energy=0.9 --layers fc1 --finetune-epochs 0
