#!/usr/bin/env bash
# The pruning experiments of docs/pruning.md on full Fashion-MNIST, one after the other.
#
# Usage: zoo/scripts/pruning_experiments.sh MODELS_DIR OUT_DIR [GROUP ...]
#   MODELS_DIR holds lenet300.mnw and lenet5.mnw, trained with
#     ./minnow train lenet300 --out MODELS_DIR/lenet300.mnw
#     ./minnow train lenet5   --out MODELS_DIR/lenet5.mnw
#   OUT_DIR receives one JSON file per experiment (the --json output) and its log, plus the
#   sensitivity plots; pruned models go to OUT_DIR/models.
#   GROUP: sensitivity, lenet300, lenet5, lottery (default: all four, in that order); a single
#   experiment by its name also works, e.g. lenet5-global90.
# Each experiment is one ./minnow command; docs/pruning.md names it next to its table.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
models="${1:?models directory}"
out="${2:?output directory}"
shift 2
groups=("$@")
[[ ${#groups[@]} -eq 0 ]] && groups=(sensitivity lenet300 lenet5 lottery)
mkdir -p "$out/models"
minnow="$root/minnow"

has() { [[ " ${groups[*]} " == *" $1 "* ]]; }

# run NAME ARGS...: ./minnow ARGS --json > OUT/NAME.json, progress in OUT/NAME.log; only when its
# group (the name's first word; sensitivity and lottery by their suffix) or its name was asked for
run() {
  local name="$1" group="${1%%-*}"
  shift
  case "$name" in *-sensitivity) group=sensitivity ;; *-lottery) group=lottery ;; esac
  if ! has "$group" && ! has "$name"; then
    return 0
  fi
  echo "== $name: ./minnow $*" >&2
  "$minnow" "$@" --json >"$out/$name.json" 2>"$out/$name.log"
}

run lenet300-sensitivity sensitivity "$models/lenet300.mnw" --svg "$out/lenet300-sensitivity.svg"
run lenet5-sensitivity sensitivity "$models/lenet5.mnw" --svg "$out/lenet5-sensitivity.svg"

m="$models/lenet300.mnw"
# per layer vs global vs Han's quality threshold, one-shot, 3 epochs of fine-tuning
run lenet300-sparsity90 prune "$m" --sparsity 0.9 --finetune-epochs 3 --out "$out/models/lenet300-sparsity90.mnw"
run lenet300-global90 prune "$m" --global 0.9 --finetune-epochs 3 --out "$out/models/lenet300-global90.mnw"
run lenet300-quality prune "$m" --quality 1.6 --finetune-epochs 3 --out "$out/models/lenet300-quality.mnw"
# 95 %: one-shot vs iterative vs gradual vs global vs L1, all with 6 epochs of training after the dense model
run lenet300-oneshot95 prune "$m" --sparsity 0.95 --finetune-epochs 6 --out "$out/models/lenet300-oneshot95.mnw"
run lenet300-iterative95 prune "$m" --sparsity 0.95 --rounds 3 --finetune-epochs 2 \
  --out "$out/models/lenet300-iterative95.mnw"
run lenet300-agp95 prune "$m" --agp 0.95 --finetune-epochs 6 --out "$out/models/lenet300-agp95.mnw"
run lenet300-global95 prune "$m" --global 0.95 --finetune-epochs 6 --out "$out/models/lenet300-global95.mnw"
run lenet300-l1-global95 prune "$m" --l1 5e-5 --global 0.95 --finetune-epochs 3 --out "$out/models/lenet300-l1.mnw"
run lenet300-sensitivity-prune prune "$m" --sensitivity --tolerance 0.01 --finetune-epochs 6 \
  --out "$out/models/lenet300-sens.mnw"
run lenet300-sensitivity-target95 prune "$m" --sensitivity --target 0.95 --finetune-epochs 6 \
  --out "$out/models/lenet300-sens95.mnw"

m="$models/lenet5.mnw"
run lenet5-sparsity-conv60-fc92 prune "$m" --sparsity conv=0.6,fc=0.92 --finetune-epochs 2 \
  --out "$out/models/lenet5-layers.mnw"
run lenet5-global90 prune "$m" --global 0.9 --finetune-epochs 2 --out "$out/models/lenet5-global90.mnw"
run lenet5-sensitivity-prune prune "$m" --sensitivity --tolerance 0.01 --finetune-epochs 2 \
  --out "$out/models/lenet5-sens.mnw"
run lenet5-sensitivity-target90 prune "$m" --sensitivity --target 0.9 --finetune-epochs 2 \
  --out "$out/models/lenet5-sens90.mnw"

run lenet300-lottery lottery lenet300 --sparsity 0.5,0.8,0.9,0.95,0.98 --epochs 10 --finetune-epochs 3
echo "done: $out" >&2
