#!/usr/bin/env bash
# Sets mlc up on a Debian 12 machine and runs it: installs the Debian packages
# it needs (only those missing), ONNX Runtime for Node (the peer the end-to-end
# tests compare numbers with), configures with CMake and Ninja against LLVM/MLIR
# 19, builds, then runs one job:
#
#   utils/setup.sh demo    mlc on the example models in examples/models
#   utils/setup.sh test    every test, under ctest
#   utils/setup.sh build   set up and build only
#
# A rerun skips what is installed and built. Environment: BUILD_DIR (default
# build), JOBS (default 2), MLC_ORT_DIR (where ONNX Runtime for Node goes;
# default ~/.cache/mlc/ortpeer).
set -euo pipefail

job=${1:-build}
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$repo/build}
jobs=${JOBS:-2}
ort_dir=${MLC_ORT_DIR:-$HOME/.cache/mlc/ortpeer}

packages=(
  cmake ninja-build g++ pkg-config
  llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools libzstd-dev
  libprotobuf-dev protobuf-compiler libonnx-dev
  libcli11-dev libflatbuffers-dev flatbuffers-compiler libdnnl-dev
  libgtest-dev libbenchmark-dev libonnx-testdata
  python3 python3-numpy python3-onnx
)

install_packages() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$p")
  done
  command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
  if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
}

install_ort() {
  # A measuring peer for the end-to-end tests, never a dependency of mlc.
  # --ignore-scripts: its install script downloads, which fails offline; the
  # CPU library is in the package.
  if [ ! -d "$ort_dir/node_modules/onnxruntime-node" ]; then
    echo "setup: installing onnxruntime-node into $ort_dir"
    mkdir -p "$ort_dir"
    (cd "$ort_dir" && { [ -f package.json ] || npm init -y >/dev/null; } &&
      npm install --ignore-scripts --no-audit --no-fund onnxruntime-node@1.30.0 >/dev/null) ||
      echo "setup: could not install onnxruntime-node; the tests that compare with it will be skipped"
  fi
}

configure_and_build() {
  if [ ! -f "$build/build.ninja" ]; then
    cmake -G Ninja -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release \
      -DMLIR_DIR=/usr/lib/llvm-19/lib/cmake/mlir \
      -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-19/build/utils/lit/lit.py \
      -DPython3_EXECUTABLE=/usr/bin/python3 \
      -DMLC_ORT_NODE_MODULES="$ort_dir/node_modules"
  fi
  ninja -C "$build" -j"$jobs"
}

install_packages
install_ort
configure_and_build

case "$job" in
  build) ;;
  demo) exec "$repo/utils/demo.sh" "$build" ;;
  test) cd "$build" && exec ctest --output-on-failure -j"$jobs" ;;
  *) echo "usage: utils/setup.sh [demo|test|build]" >&2; exit 2 ;;
esac
