#!/usr/bin/env bash
# The structured-pruning measurements of docs/structured-pruning.md, one after the other.
#
# Usage: zoo/scripts/structured_experiments.sh OUT_DIR [STEP ...]
#   STEP: speed (ResNet-18 at 224x224, half the conv MACs removed with and without --round-to 8,
#         ./minnow bench of the three alternated for ROUNDS rounds, 1 and 2 threads),
#         accuracy (tiny_vgg trained on full Fashion-MNIST, half its conv MACs removed, fine-tuned),
#         control (the original fine-tuned as long as the pruned one, nothing removed);
#   default: all three. Each step is ./minnow commands whose --json output lands in
#   OUT_DIR/NAME.json (progress in OUT_DIR/NAME.log). Run it alone on the machine: the latencies are timings.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:?output directory}"
shift
steps=("$@")
[[ ${#steps[@]} -eq 0 ]] && steps=(speed accuracy control)
mkdir -p "$out"
minnow="${MINNOW:-$root/minnow}"   # MINNOW: another launcher, e.g. of a frozen copy of the jar
has() { [[ " ${steps[*]} " == *" $1 "* ]]; }
run() {
  local name="$1"
  shift
  echo "== $name: ./minnow $*" >&2
  "$minnow" "$@" --json >"$out/$name.json" 2>"$out/$name.log"
}

if has speed; then
  run resnet18-macs50 prune resnet18 --macs 0.5 --out "$out/resnet18-macs50.onnx"
  run resnet18-macs50-r8 prune resnet18 --macs 0.5 --round-to 8 --out "$out/resnet18-macs50-r8.onnx"
  # the three models alternate round by round (ROUNDS, default 5), so that the machine's drift
  # hits them alike; the summary is the median of each model's per-round medians
  for threads in 1 2; do
    for r in $(seq "${ROUNDS:-5}"); do
      run "bench-t$threads-$r-resnet18" bench resnet18 --threads "$threads" --iterations 30
      run "bench-t$threads-$r-macs50" bench "$out/resnet18-macs50.onnx" --threads "$threads" --iterations 30
      run "bench-t$threads-$r-macs50-r8" bench "$out/resnet18-macs50-r8.onnx" --threads "$threads" --iterations 30
    done
  done
  /usr/bin/python3 - "$out" <<'PY' | tee "$out/speed-summary.txt"
import glob, json, statistics, sys
out = sys.argv[1]
for threads in (1, 2):
    med = {}
    for model in ("resnet18", "macs50", "macs50-r8"):
        runs = sorted(glob.glob(f"{out}/bench-t{threads}-*-{model}.json"))
        med[model] = statistics.median(json.load(open(f))["median_ms"] for f in runs)
    print(f"{threads} thread(s): " + ", ".join(
        f"{m} {v:.1f} ms ({med['resnet18'] / v:.2f}x)" for m, v in med.items()))
PY
fi
if has accuracy; then
  run tiny_vgg-train train tiny_vgg --epochs 4 --threads 2 --out "$out/tiny_vgg.mnw"
  run tiny_vgg-macs50 prune "$out/tiny_vgg.mnw" --macs 0.5 --finetune-epochs 2 --threads 2 \
    --out "$out/tiny_vgg-macs50.mnw"
fi
if has control; then
  # the same fine-tuning without pruning: what the two extra epochs alone give the original
  run tiny_vgg-control prune "$out/tiny_vgg.mnw" --filters 0 --finetune-epochs 2 --threads 2 --out "$out/tiny_vgg-control.mnw"
fi
