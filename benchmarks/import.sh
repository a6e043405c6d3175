#!/usr/bin/env bash
# Import benchmark ("import a large model"): wall time and peak memory of `mlc import` on a
# large real network, by default torchvision's fcn_resnet50 at 224x224 (~130 MB of ONNX).
#
#   benchmarks/import.sh [-m MODEL.onnx] [-n RUNS] [-c 'COMMAND']... [-b]
#
#   -m MODEL   the ONNX model (default /tmp/mlc-torchvision/fcn_resnet50_224_op13.onnx;
#              if absent it is exported with /usr/bin/python3 utils/check_torchvision.py
#              --export-only, which needs python3-torch and python3-torchvision)
#   -n RUNS    runs per command (default 5)
#   -c CMD     a command to time; repeat -c for several. Placeholders: {mlc} the mlc
#              binary, {model} the model, {out} a scratch folder (removed at the end).
#              Default: '{mlc} import {model} -o {out}/model.mlirbc' (parse, import,
#              write MLIR bytecode). Other examples:
#                -c '{mlc} import {model} -o /dev/null'        (no file worth keeping)
#                -c '{mlc} import {model} --verify-only'       (once the CLI has it)
#                -c '{mlc} export {model} -o {out}/model.onnx' (the round trip's other half)
#   -b         also time a baseline: protobuf parsing the same file in Python
#              (`onnx.load`, the C++ protobuf parser under a Python interpreter), to put
#              mlc's numbers next to the cost of merely parsing the ModelProto
#
# Environment: MLC (default build/bin/mlc in the repository), PYTHON (default /usr/bin/python3).
#
# Each run goes through `/usr/bin/time -v`; the script prints per run the wall time, peak
# RSS ("Maximum resident set size") and exit code, then per command the min and median
# wall time, the max peak RSS and the ratio peak RSS / model file size (the architecture's
# target: weights exist once in memory, so the ratio should stay near 1). The model file is
# read once before timing so that every run sees it in the page cache.
#
# Exit code: 0 when every run of every command exited 0, 1 otherwise, 2 on a usage error.

set -u -o pipefail
export LC_ALL=C   # "." decimals for awk and $EPOCHREALTIME

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
MLC=${MLC:-$repo/build/bin/mlc}
PYTHON=${PYTHON:-/usr/bin/python3}
model=/tmp/mlc-torchvision/fcn_resnet50_224_op13.onnx
runs=5
cmds=()
baseline=0

usage() { sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2; exit 2; }

while getopts "m:n:c:bh" opt; do
  case $opt in
    m) model=$OPTARG ;;
    n) runs=$OPTARG ;;
    c) cmds+=("$OPTARG") ;;
    b) baseline=1 ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || usage
case $runs in ''|*[!0-9]*) echo "import.sh: -n takes a number" >&2; exit 2 ;; esac
[ "$runs" -ge 1 ] || { echo "import.sh: -n must be at least 1" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "import.sh: /usr/bin/time not found (apt-get install time)" >&2; exit 2; }

if [ ${#cmds[@]} -eq 0 ]; then
  cmds=('{mlc} import {model} -o {out}/model.mlirbc')
fi

if [ ! -f "$model" ]; then
  case $model in
    */fcn_resnet50_224_op13.onnx)
      echo "== $model is absent: exporting it (torch) =="
      "$PYTHON" "$repo/utils/check_torchvision.py" --export-only --models fcn_resnet50 \
          --opsets 13 --size 224 --work "$(dirname "$model")" || exit 2 ;;
    *) echo "import.sh: model $model not found" >&2; exit 2 ;;
  esac
fi

needs_mlc=0
for c in "${cmds[@]}"; do case $c in *'{mlc}'*) needs_mlc=1 ;; esac; done
if [ $needs_mlc -eq 1 ] && [ ! -x "$MLC" ]; then
  echo "import.sh: mlc not found at $MLC (build it, or set MLC=...)" >&2
  exit 2
fi

out=$(mktemp -d /tmp/mlc-bench.XXXXXX)
trap 'rm -rf "$out"' EXIT

if [ $baseline -eq 1 ]; then
  cmds+=("$PYTHON -c 'import onnx, sys; onnx.load(sys.argv[1])' {model}")
fi

model_bytes=$(stat -c %s "$model")
cat "$model" > /dev/null   # into the page cache

echo "model:   $model ($(awk -v b="$model_bytes" 'BEGIN { printf "%.1f MB", b / 1e6 }'))"
echo "mlc:     $MLC"
echo "runs:    $runs per command"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GB", $2 / 1e6 }' /proc/meminfo)"

status=0
for tmpl in "${cmds[@]}"; do
  cmd=${tmpl//\{mlc\}/$MLC}
  cmd=${cmd//\{model\}/$model}
  cmd=${cmd//\{out\}/$out}
  echo
  echo "== $cmd"
  walls=()
  peak_kb=0
  for i in $(seq 1 "$runs"); do
    tv="$out/time.txt"
    # exec: the timed process is the command itself, not a shell around it.
    t0=$EPOCHREALTIME
    /usr/bin/time -v -o "$tv" bash -c "exec $cmd" > "$out/stdout.txt" 2> "$out/stderr.txt"
    rc=$?
    t1=$EPOCHREALTIME
    # Wall time from bash's microsecond clock (time -v's "Elapsed" has 10 ms steps).
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    rss_kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tv")
    code=$(awk -F': ' '/Exit status/ { print $2 }' "$tv")
    [ -n "$code" ] || code=$rc
    walls+=("$wall")
    [ "${rss_kb:-0}" -gt "$peak_kb" ] && peak_kb=$rss_kb
    printf "run %d: wall %8.3f s   peak RSS %8.1f MB   exit %s\n" "$i" "$wall" \
        "$(awk -v k="${rss_kb:-0}" 'BEGIN { print k * 1024 / 1e6 }')" "$code"
    if [ "$code" != 0 ]; then
      status=1
      sed 's/^/    stderr: /' "$out/stderr.txt" | tail -5
    fi
  done
  printf "%s\n" "${walls[@]}" | sort -g | awk -v peak="$peak_kb" -v size="$model_bytes" '
    { w[NR] = $1 }
    END {
      med = (NR % 2) ? w[(NR + 1) / 2] : (w[NR / 2] + w[NR / 2 + 1]) / 2
      printf "summary: wall min %.3f s, median %.3f s; peak RSS %.1f MB = %.2f x the model file (%.1f MB)\n",
             w[1], med, peak * 1024 / 1e6, peak * 1024 / size, size / 1e6
    }'
  for f in "$out"/*; do
    case $f in */time.txt|*/stdout.txt|*/stderr.txt) ;;
      *) [ -f "$f" ] && echo "output:  $(basename "$f") $(awk -v b="$(stat -c %s "$f")" 'BEGIN { printf "%.1f MB", b / 1e6 }')" && rm -f "$f" ;;
    esac
  done
done
exit $status
