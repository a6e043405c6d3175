#!/usr/bin/env bash
# The main job on the example models: import each one into the nn dialect
# (verified), print its summary, check whether it takes other input sizes,
# write it back as ONNX, merge the exports of each network at two sizes into
# one model, compile each merged model to a .mlc runtime file, and run it at
# both sizes (and a batch) in the runtime.
#
#   utils/demo.sh [BUILD_DIR]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$repo/build}
mlc=$build/bin/mlc
out=$build/demo
mkdir -p "$out"

for model in "$repo"/examples/models/*.onnx; do
  name=$(basename "$model" .onnx)
  "$mlc" import "$model" -o "$out/$name.mlirbc"
  "$mlc" inspect "$out/$name.mlirbc" | sed "1s|.*|== $name|"
  # Exit code 1 means "not flexible": an answer, not a failure.
  "$mlc" check-flexible "$model" || [ $? -eq 1 ]
  "$mlc" export "$out/$name.mlirbc" -o "$out/$name.onnx"
  echo
done
# Per-size exports of one network become one model that takes both sizes,
# its weights stored once.
for net in tiny_resnet tiny_mobilenetv2 tiny_fcn; do
  echo "== merge ${net}_64 + ${net}_96"
  "$mlc" merge "$repo/examples/models/${net}_64.onnx" \
    "$repo/examples/models/${net}_96.onnx" -o "$out/${net}_merged.onnx" --verbose
  ls -l "$repo/examples/models/${net}_64.onnx" "$out/${net}_merged.onnx" |
    awk '{ print "  " $5 " bytes  " $NF }'
  "$mlc" check-flexible "$out/${net}_merged.onnx" | sed -n '1p;/outputs/p'
  echo "== compile and run the merged ${net}"
  "$mlc" compile "$out/${net}_merged.onnx" -o "$out/${net}.mlc"
  "$mlc" run "$out/${net}.mlc" --shape 1x3x64x64
  "$mlc" run "$out/${net}.mlc" --shape 1x3x96x96 --output-dir "$out/${net}_outputs"
  "$mlc" run "$out/${net}.mlc" --batch 2
  echo
done
echo "demo: every example model imported, verified, checked for flexibility and exported again; each pair of sizes merged, compiled to .mlc and run at both sizes; files in $out"
