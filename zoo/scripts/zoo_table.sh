#!/usr/bin/env bash
# zoo_table.sh: the model table of docs/zoo.md, measured on this machine.
#
#   zoo/scripts/zoo_table.sh                          every zoo model, 2 threads, 20 timed runs
#   zoo/scripts/zoo_table.sh --iterations 5 resnet18 mobilenet_v2
#   zoo/scripts/zoo_table.sh --threads 4 --warmup 10 --iterations 50
#
# For each model: `./minnow summary NAME --json` (parameters, MACs of one 224x224 image, 28x28 for
# the LeNets) and `./minnow bench NAME --batch B --threads T --json` for B = 1 and 8 (median
# latency of one run). Prints a markdown table on stdout, progress on stderr. Run it on a quiet
# machine: the numbers are medians, but two cores shared with a build are not a benchmark. With
# the defaults it takes tens of minutes on 2 cores (VGG-16 at batch 8 alone: 25 runs of 124 G MACs);
# --warmup 1 --iterations 3 checks the script in about 7 minutes.
#
# Columns: params are the learned parameters, torchvision's count (the summary's "params": what the
# ops read as trainable inputs; BatchNorm's running statistics and other constants are its
# "constants"); size is every stored float32, parameters and constants, what a .mnw file of the
# model holds; latency is per batch, images/s = 8 / batch-8 latency. bench warms each model up for
# --warmup runs and at least 2 seconds before timing.
# Needs python3 (any) to read the JSON.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
minnow="$root/minnow"
threads=2
iterations=20
warmup=5
models=()
while (($#)); do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --iterations) iterations="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
    -*) echo "zoo_table.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) models+=("$1"); shift ;;
  esac
done
if ((${#models[@]} == 0)); then
  models=(lenet300 lenet5 alexnet alexnet_bvlc vgg16 googlenet googlenet_bvlc resnet18 resnet50 mobilenet_v1
          mobilenet_v2 shufflenet_v1_g3 shufflenet_v2_x1_0 squeezenet1_0 squeezenet1_1)
fi

# field NAME: reads one JSON object on stdin, prints a figure derived from it
field() {
  python3 -c '
import json, sys
j = json.load(sys.stdin)
what = sys.argv[1]
if what == "params":
    print("{:,}".format(j["params"]))
elif what == "size_mb":
    print("%.1f" % ((j["params"] + j.get("constants", 0)) * 4 / 1e6))
elif what == "gmacs":
    print("%.3g" % (j["macs"] / 1e9))
else:
    v = j[what]
    print("%.3g" % v if v < 10 else "%.1f" % v)
' "$1"
}

echo "| model | params | MACs (G) | size (MB) | batch 1 (ms) | batch 8 (ms) | images/s at batch 8 |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for m in "${models[@]}"; do
  echo "zoo_table.sh: $m" >&2
  summary="$("$minnow" summary "$m" --json)"
  b1="$("$minnow" bench "$m" --batch 1 --threads "$threads" --warmup "$warmup" --iterations "$iterations" --json)"
  b8="$("$minnow" bench "$m" --batch 8 --threads "$threads" --warmup "$warmup" --iterations "$iterations" --json)"
  params="$(field params <<<"$summary")"
  gmacs="$(field gmacs <<<"$summary")"
  size="$(field size_mb <<<"$summary")"
  ms1="$(field median_ms <<<"$b1")"
  ms8="$(field median_ms <<<"$b8")"
  rate8="$(field images_per_s <<<"$b8")"
  echo "| $m | $params | $gmacs | $size | $ms1 | $ms8 | $rate8 |"
done
echo
echo "($threads threads, median of $iterations timed runs after $warmup warm-up runs; $(java -version 2>&1 | head -1);" \
  "$(nproc) cores; $(date -u +%Y-%m-%d))"
