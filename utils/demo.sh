#!/usr/bin/env bash
# The main job on the example models: import each one into the nn dialect
# (verified), print its summary, check whether it takes other input sizes,
# and write it back as ONNX.
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
echo "demo: every example model imported, verified, checked for flexibility and exported again; files in $out"
