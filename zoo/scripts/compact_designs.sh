#!/usr/bin/env bash
# The comparison of docs/compact-designs.md on full Fashion-MNIST: three compact designs trained
# from scratch against LeNet-5 and its compressed variants, side by side on accuracy, bytes and
# latency (./minnow compare), with the Pareto fronts and the scatter plots.
#
# Usage: zoo/scripts/compact_designs.sh MODELS_DIR OUT_DIR [STEP ...]
#   MODELS_DIR  holds the trained baselines, read only (they are copied to OUT_DIR):
#               lenet5.mnw    ./minnow train lenet5 --out lenet5.mnw               (20 epochs, 91.74 % here)
#               lenet300.mnw  ./minnow train lenet300 --out lenet300.mnw           (30 epochs, 90.37 % here)
#               lenet5.mnz    (optional) ./minnow compress lenet5.mnw --recipe deep-compression --out lenet5.mnz;
#                             made here when missing (about 10 minutes)
#   OUT_DIR     receives every model, NAME.json (a command's --json output) and NAME.log per step,
#               compare.json, compare.txt, pareto-bytes.svg and pareto-latency.svg
#   STEP        designs, compressed, compare (default: all three, in that order)
# A step's model that already exists in OUT_DIR is kept, so an interrupted run can be resumed.
# Environment: EPOCHS (compact designs' epochs, default 8), THREADS (training, default 2),
#   COMPARE_THREADS (evaluation and batch-1 latency, default 1), DISTILL_EPOCHS (default 10),
#   MINNOW (the command, default ./minnow), DATA_ARGS (added to every command, e.g. "--embedded" for a
#   quick check of the script itself on the embedded subset).
# On a shared machine, run it under the CPU lock: flock /work/notes/cpu.lock zoo/scripts/compact_designs.sh ...
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
models="${1:?directory of the trained baselines (lenet5.mnw, lenet300.mnw)}"
out="${2:?output directory}"
shift 2
steps=("$@")
[[ ${#steps[@]} -eq 0 ]] && steps=(designs compressed compare)
read -r -a minnow <<<"${MINNOW:-$root/minnow}"
epochs="${EPOCHS:-8}"
threads="${THREADS:-2}"
compare_threads="${COMPARE_THREADS:-1}"
distill_epochs="${DISTILL_EPOCHS:-10}"
read -r -a data <<<"${DATA_ARGS:-}"
mkdir -p "$out"

has() { [[ " ${steps[*]} " == *" $1 "* ]]; }

# run NAME OUTFILE ARGS...: unless OUTFILE exists, ./minnow ARGS --json > OUT/NAME.json, progress in OUT/NAME.log
run() {
  local name="$1" file="$2"
  shift 2
  if [[ -f $file ]]; then
    echo "== $name: $file exists, kept" >&2
    return 0
  fi
  echo "== $name: minnow $* ($(date -u +%H:%M:%S))" >&2
  "${minnow[@]}" "$@" ${data[@]+"${data[@]}"} --json >"$out/$name.json" 2>"$out/$name.log"
}

[[ -f $out/lenet5.mnw ]] || cp "$models/lenet5.mnw" "$out/lenet5.mnw"
[[ -f $out/lenet300.mnw ]] || cp "$models/lenet300.mnw" "$out/lenet300.mnw"
base="$out/lenet5.mnw"

if has designs; then
  for m in tiny_mobilenet tiny_shufflenet tiny_squeezenet; do
    run "train-$m" "$out/$m.mnw" train "$m" --epochs "$epochs" --threads "$threads" --out "$out/$m.mnw"
  done
  # compact and compressed: the designs quantized to int8 as well
  for m in tiny_mobilenet tiny_shufflenet tiny_squeezenet; do
    run "int8-$m" "$out/$m-int8.mnw" quantize "$out/$m.mnw" --mode int8 --threads "$threads" --out "$out/$m-int8.mnw"
  done
fi

if has compressed; then
  # pruning + clustering + Huffman coding (docs/deep-compression.md)
  if [[ -f $models/lenet5.mnz && ! -f $out/lenet5-deep-compression.mnz ]]; then
    cp "$models/lenet5.mnz" "$out/lenet5-deep-compression.mnz"
  fi
  run deep-compression "$out/lenet5-deep-compression.mnz" compress "$base" --recipe deep-compression \
    --threads "$threads" --out "$out/lenet5-deep-compression.mnz"
  # int8 post-training, per output channel (docs/quantization.md)
  run int8 "$out/lenet5-int8.mnw" quantize "$base" --mode int8 --threads "$threads" --out "$out/lenet5-int8.mnw"
  # ternary weights, two epochs of training (docs/lowbit-quantization.md)
  run ternary "$out/lenet5-ternary.mnw" quantize "$base" --mode ternary --epochs 2 --lr 0.01 --threads "$threads" \
    --out "$out/lenet5-ternary.mnw"
  # truncated SVD of fc1 at rank 64, one epoch of fine-tuning (docs/low-rank.md)
  run svd64 "$out/lenet5-svd64.mnw" decompose "$base" --svd rank=64 --layers fc1 --finetune-epochs 1 \
    --threads "$threads" --out "$out/lenet5-svd64.mnw"
  # LeNet-300-100 distilled from LeNet-5 at T = 4, lr 0.01 (docs/distillation.md's best single-teacher setting)
  run distill "$out/lenet300-distilled.mnw" distill --teacher "$base" --student lenet300 --temperature 4 \
    --epochs "$distill_epochs" --lr 0.01 --threads "$threads" --out "$out/lenet300-distilled.mnw"
fi

if has compare; then
  files=("$out/lenet5.mnw" "$out/lenet5-deep-compression.mnz" "$out/lenet5-int8.mnw" "$out/lenet5-ternary.mnw"
    "$out/lenet5-svd64.mnw" "$out/lenet300.mnw" "$out/lenet300-distilled.mnw" "$out/tiny_mobilenet.mnw"
    "$out/tiny_shufflenet.mnw" "$out/tiny_squeezenet.mnw" "$out/tiny_mobilenet-int8.mnw"
    "$out/tiny_shufflenet-int8.mnw" "$out/tiny_squeezenet-int8.mnw")
  echo "== compare ($(date -u +%H:%M:%S))" >&2
  "${minnow[@]}" compare "${files[@]}" --threads "$compare_threads" --svg "$out/pareto-bytes.svg" \
    --latency-svg "$out/pareto-latency.svg" ${data[@]+"${data[@]}"} --json >"$out/compare.json" 2>"$out/compare.log"
  # the same figures as a table, from the JSON (no second measurement)
  python3 - "$out/compare.json" >"$out/compare.txt" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
print("| model | accuracy (%) | bytes | MACs | latency (ms) | front: bytes | front: latency |")
print("|---|---:|---:|---:|---:|:-:|:-:|")
for m in j["models"]:
    print("| %s | %.2f | %s | %s | %.3f | %s | %s |" % (m["model"], 100 * m["accuracy"], format(m["bytes"], ","),
          format(m["macs"], ","), m["median_ms"], "*" if m["pareto_bytes"] else "", "*" if m["pareto_latency"] else ""))
EOF
  cat "$out/compare.txt"
fi
echo "done: $out ($(date -u +%H:%M:%S))" >&2
