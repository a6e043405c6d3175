#!/usr/bin/env bash
# The performance suite (issue 8) in one command: builds mlc and the kernel
# benchmarks, measures the machine's peak and the main convolutions
# (build/benchmarks/kernels/mlc-bench-kernels), then whole models beside ONNX
# Runtime and the compile figures (benchmarks/models.py), and writes it all
# under a results folder, with every table in Markdown (also printed at the end).
#
#   benchmarks/run.sh [-n] [-o DIR] [-k REGEX] [-t SECONDS] [-- MODELS.PY OPTIONS...]
#
#   -n          no build: measure the binaries as they are
#   -o DIR      results folder (default build/perf/DATE-TIME)
#   -k REGEX    only the kernel benchmarks matching REGEX (the Peak ones always run)
#   -t SECONDS  minimum time of each kernel benchmark (default: benchmark's, 0.5)
#   -- ...      options for models.py, e.g. -- --models resnet18 --sizes 224 --runs 3
#
# Environment: JOBS (ninja -j; default ninja's), PYTHON (default /usr/bin/python3, which
# has torch and onnx for the exports and the FLOP counts).
#
# Writes DIR/machine.txt (lscpu), kernels.json and kernels.txt (mlc-bench-kernels),
# models.json, models.md and models.log (models.py) and summary.md (all tables). The
# whole suite takes about 40 minutes on 2 cores: run it on a quiet machine.

set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
PYTHON=${PYTHON:-/usr/bin/python3}
out=$repo/build/perf/$(date +%Y%m%d-%H%M%S)
filter=
min_time=
build=1

usage() { sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2; exit 2; }
while getopts "no:k:t:h" opt; do
  case $opt in
    n) build=0 ;;
    o) out=$OPTARG ;;
    k) filter=$OPTARG ;;
    t) min_time=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ "${1:-}" != -- ] || shift

[ $build -eq 0 ] || ninja -C "$repo/build" ${JOBS:+-j "$JOBS"} mlc mlc-bench-kernels
mkdir -p "$out"
lscpu > "$out/machine.txt"

echo "== kernels (results in $out)"
"$repo/build/benchmarks/kernels/mlc-bench-kernels" \
    ${filter:+"--benchmark_filter=^Peak/|$filter"} ${min_time:+--benchmark_min_time=$min_time} \
    --benchmark_out="$out/kernels.json" --benchmark_out_format=json | tee "$out/kernels.txt"

echo "== models"
# A case that failed is left out of the tables (models.log names it; exit 1).
status=0
"$PYTHON" "$here/models.py" --kernels-json "$out/kernels.json" --json "$out/models.json" \
    --markdown "$@" > "$out/models.md" 2> >(tee "$out/models.log" >&2) || status=$?

{
  echo "# Performance suite, $(date -u '+%Y-%m-%d %H:%M UTC'), $(git -C "$repo" rev-parse --short HEAD)"
  echo
  awk -F': *' '/^Model name/ { cpu = $2 } /^CPU\(s\)/ { n = $2 }
               /^Flags/ { avx = ($2 ~ /avx512f/) ? "AVX-512" : "no AVX-512" }
               END { printf "Machine: %s, %s cores, %s.\n", cpu, n, avx }' "$out/machine.txt"
  echo
  echo "## Kernels"
  echo
  "$PYTHON" "$here/kernel_table.py" "$out/kernels.json"
  echo
  echo "## Models"
  echo
  cat "$out/models.md"
} > "$out/summary.md"
echo
cat "$out/summary.md"
exit $status
