#!/usr/bin/env bash
# The distillation experiments of docs/distillation.md on full Fashion-MNIST, one after the other.
#
# Usage: zoo/scripts/distillation_experiments.sh MODELS_DIR OUT_DIR [GROUP ...]
#   MODELS_DIR holds lenet5.mnw, trained with   ./minnow train lenet5 --out MODELS_DIR/lenet5.mnw
#   (20 epochs, 91.74 %); the group "teachers" trains two more LeNet-5 there (seeds 2 and 3).
#   OUT_DIR receives one JSON file per experiment (the --json output) and its log; the distilled
#   students go to OUT_DIR/models.
#   GROUP: single, single-lr01, pair-lr01, teachers, ensemble (default: all, in that order).
#   "single" uses the student's recipe (lr 0.05), with which high temperatures diverge; the
#   "-lr01" groups run every training (the student alone included) at a peak lr of 0.01. "pair-lr01" uses
#   the ensemble of the two baselines that already exist: lenet5.mnw and lenet300.mnw (trained with
#   ./minnow train lenet300 --out MODELS_DIR/lenet300.mnw, 30 epochs, 90.37 %).
# Each experiment is one ./minnow command; docs/distillation.md names it next to its table.
# On a shared machine, run it under the CPU lock: flock /work/notes/cpu.lock zoo/scripts/...
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
models="${1:?models directory}"
out="${2:?output directory}"
shift 2
groups=("$@")
[[ ${#groups[@]} -eq 0 ]] && groups=(single single-lr01 pair-lr01 teachers ensemble)
mkdir -p "$out/models"
minnow="$root/minnow"
epochs="${EPOCHS:-10}"          # student epochs (the lenet300 recipe has 30)
teacher_epochs="${TEACHER_EPOCHS:-8}"

has() { [[ " ${groups[*]} " == *" $1 "* ]]; }

# run NAME ARGS...: ./minnow ARGS --json > OUT/NAME.json, progress in OUT/NAME.log
run() {
  local name="$1"
  shift
  echo "== $name: ./minnow $*" >&2
  "$minnow" "$@" --json >"$out/$name.json" 2>"$out/$name.log"
}

t="$models/lenet5.mnw"
if has single; then
  run distill-lenet5-lenet300 distill --teacher "$t" --student lenet300 --temperature 1,2,4,8,20 \
    --epochs "$epochs" --threads 2 --out "$out/models/lenet300-distilled.mnw"
fi
if has single-lr01; then
  run distill-lenet5-lenet300-lr01 distill --teacher "$t" --student lenet300 --temperature 1,2,4,8,20 \
    --epochs "$epochs" --lr 0.01 --threads 2 --out "$out/models/lenet300-distilled-lr01.mnw"
fi
if has pair-lr01; then
  run distill-pair-lenet300-lr01 distill --teacher "$t,$models/lenet300.mnw" --student lenet300 \
    --temperature 1,2,4,8,20 --epochs "$epochs" --lr 0.01 --threads 2 \
    --out "$out/models/lenet300-distilled-pair-lr01.mnw"
fi
if has teachers; then
  for s in 2 3; do
    [[ -f $models/lenet5-seed$s.mnw ]] || run "train-lenet5-seed$s" train lenet5 --seed "$s" \
      --epochs "$teacher_epochs" --threads 2 --out "$models/lenet5-seed$s.mnw"
  done
fi
if has ensemble; then
  run distill-ensemble3-lenet300 distill --teacher "$t,$models/lenet5-seed2.mnw,$models/lenet5-seed3.mnw" \
    --student lenet300 --temperature 1,2,4,8,20 --epochs "$epochs" --lr 0.01 --threads 2 \
    --out "$out/models/lenet300-distilled-ensemble.mnw"
fi
echo "done: $out" >&2
