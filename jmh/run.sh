#!/usr/bin/env bash
# jmh/run.sh: Minnow's benchmarks next to ONNX Runtime and EJML, and the tables of docs/performance.md.
#
# Builds jmh/target/benchmarks.jar with the peers profile (mvn -Ppeers), checks that Minnow and
# ONNX Runtime agree on every peer subject (PeerCheck), runs the chosen JMH benchmarks one after
# the other, and writes into jmh/results/<date-time>/ (git-ignored; jmh/results/latest points to it):
#   benchmarks.json  JMH results (-rf json) of every group but alloc
#   alloc.json       the allocation benchmark, run with -prof gc
#   check.txt        PeerCheck's report
#   table.md         the markdown tables (dev.minnow.jmh.report.PerformanceTable), also printed
#
# Usage: jmh/run.sh [--quick | --smoke] [--no-build] [--no-check] [GROUP ...] [-- JMH-ARGS ...]
#   GROUP      gemm, conv, networks, training, alloc, check (PeerCheck only), all (the default),
#              sparse (pruned layers in CSR vs dense: docs/pruning.md; not part of all),
#              int8 (int8 vs float32 layers and kernels at batch 1, XNOR vs float32 conv:
#              docs/quantization.md, docs/lowbit-quantization.md; not part of all)
#   --quick    fewer, shorter iterations (-wi 1 -w 1 -i 3 -r 1): a rough table in a fraction of the time
#   --smoke    one 1-second iteration of everything (-wi 1 -w 1 -i 1 -r 1): does it all run?
#   --no-build use the jar as it is
#   --no-check skip PeerCheck
#   after --    passed to JMH as they are, e.g. -- -p threads=2 -p batch=1
# Examples:
#   jmh/run.sh                        everything, with the iteration counts of the annotations (long)
#   jmh/run.sh --quick conv networks  a rough comparison of the layers and the networks
#   jmh/run.sh gemm -- -p n=1024      GEMM 1024 only
#
# The whole networks need the ONNX files of jmh/scripts/export_torchvision.py in jmh/models (or
# $MINNOW_MODELS); the script exports them with /usr/bin/python3 when they are missing.
# Only one run.sh at a time (a lock): benchmarks running side by side measure each other.
#
# Environment: JAVA (default: $JAVA_HOME/bin/java, else java), MINNOW_MVN (default: mvn).
set -euo pipefail

jmh_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$jmh_dir")"
cd "$root"

mode_args=()
build=1
check=1
groups=()
jmh_extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) mode_args=(-wi 1 -w 1 -i 3 -r 1) ;;
    --smoke) mode_args=(-wi 1 -w 1 -i 1 -r 1) ;;
    --no-build) build=0 ;;
    --no-check) check=0 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    --) shift; jmh_extra=("$@"); break ;;
    gemm|conv|networks|training|alloc|check|sparse|int8|all) groups+=("$1") ;;
    *) echo "run.sh: unknown argument '$1' (groups: gemm conv networks training alloc check sparse int8 all; --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ ${#groups[@]} -eq 0 || " ${groups[*]} " == *" all "* ]] && groups=(check gemm conv networks training alloc)
has() { [[ " ${groups[*]} " == *" $1 "* ]]; }

if [[ -n ${JAVA:-} ]]; then java="$JAVA"
elif [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then java="$JAVA_HOME/bin/java"
else java=java; fi

mkdir -p "$jmh_dir/results"
exec 9>"$jmh_dir/results/.run.lock"
if command -v flock >/dev/null && ! flock -n 9; then
  echo "run.sh: another jmh/run.sh is running (lock $jmh_dir/results/.run.lock); benchmarks must not run side by side" >&2
  exit 2
fi

jar="$jmh_dir/target/benchmarks.jar"
if [[ $build == 1 ]]; then
  echo "run.sh: building $jar (mvn -Ppeers package -pl jmh -am) ..." >&2
  log="$jmh_dir/results/build.log"
  if ! ${MINNOW_MVN:-mvn} -q -B -Ppeers -DskipTests package -pl jmh -am >"$log" 2>&1; then
    cat "$log" >&2
    echo "run.sh: the build failed (log: $log)" >&2
    exit 2
  fi
fi
[[ -f $jar ]] || { echo "run.sh: no $jar; run without --no-build" >&2; exit 2; }

models="${MINNOW_MODELS:-$jmh_dir/models}"
if has networks || has alloc || has check; then
  missing=0
  for m in squeezenet1_1 mobilenet_v2 resnet18 googlenet; do
    [[ -f $models/$m.onnx ]] || missing=1
  done
  if [[ $missing == 1 ]]; then
    echo "run.sh: exporting the torchvision models into $models ..." >&2
    /usr/bin/python3 "$jmh_dir/scripts/export_torchvision.py" "$models" >&2
  fi
fi
export MINNOW_MODELS="$models"

out="$jmh_dir/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
ln -sfn "$(basename "$out")" "$jmh_dir/results/latest"
echo "run.sh: results go to $out" >&2

if [[ $check == 1 ]] && has check; then
  echo "run.sh: checking that Minnow and ONNX Runtime agree (PeerCheck) ..." >&2
  if ! "$java" --add-modules jdk.incubator.vector -Xmx6g -cp "$jar" dev.minnow.jmh.peers.PeerCheck 1,2 \
      2> >(grep -v '^WARNING: Using incubator modules' >&2) | tee "$out/check.txt"; then
    echo "run.sh: Minnow and ONNX Runtime disagree or could not run (see $out/check.txt); not benchmarking." \
      "Use --no-check to benchmark anyway." >&2
    exit 1
  fi
fi

patterns=()
has gemm && patterns+=('\.(GemmPeerBenchmark|GemmBenchmark|GemmNaiveBenchmark)\.')
has conv && patterns+=('\.(ConvLayerPeerBenchmark|ConvLayerBenchmark|ConvLayerScalarBenchmark)\.')
has networks && patterns+=('\.(NetworkPeerBenchmark|NetworkBenchmark|NetworkScalarBenchmark)\.')
has training && patterns+=('\.(TrainingBenchmark|TrainingScalarBenchmark)\.')
has sparse && patterns+=('\.(SparseFcBenchmark|DenseFcBenchmark|SparseConvBenchmark)\.')
has int8 && patterns+=('\.(Int8Benchmark|Int8GemvBenchmark|XnorConvBenchmark)\.')

status=0
if [[ ${#patterns[@]} -gt 0 ]]; then
  "$java" -jar "$jar" "${patterns[@]}" "${mode_args[@]}" -rf json -rff "$out/benchmarks.json" \
    "${jmh_extra[@]}" | tee "$out/benchmarks.log" || status=$?
fi
if has alloc; then
  "$java" -jar "$jar" '\.InferenceAllocationBenchmark\.' -prof gc "${mode_args[@]}" -rf json -rff "$out/alloc.json" \
    "${jmh_extra[@]}" | tee "$out/alloc.log" || status=$?
fi

# JMH goes on after a benchmark fails and leaves it out of the JSON: list the failures with their first error line.
failures="$(cat "$out"/*.log 2>/dev/null | awk '
  /^# Benchmark:/ { bench = $3 }
  /^# Parameters:/ { params = substr($0, 15) }
  /<failure>/ { failed = 1; next }
  failed && /(Exception|Error)/ { print "  " bench " " params ": " $0; failed = 0 }')"

if compgen -G "$out/*.json" >/dev/null; then
  if has sparse; then
    "$java" -cp "$jar" dev.minnow.jmh.report.SparseTable "$out" >"$out/sparse-table.md" \
      && cat "$out/sparse-table.md" && echo "run.sh: sparse tables in $out/sparse-table.md" >&2 || status=2
  fi
  if "$java" -cp "$jar" dev.minnow.jmh.report.PerformanceTable "$out" >"$out/table.md"; then
    echo
    cat "$out/table.md"
    echo "run.sh: tables in $out/table.md" >&2
  else
    echo "run.sh: the table tool failed" >&2
    status=2
  fi
fi
if [[ -n $failures ]]; then
  echo "run.sh: these benchmarks failed (details in $out/*.log):" >&2
  echo "$failures" >&2
  status=1
fi
exit $status
