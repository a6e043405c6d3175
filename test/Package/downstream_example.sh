#!/usr/bin/env bash
# Installs mlc into a temporary prefix, then builds examples/app against it as
# a downstream project would (find_package(mlc), mlc_add_model, mlc::runtime)
# and runs it; checks that a rebuild does only what changed: nothing when
# nothing did, the one model whose source was touched or whose options
# changed; that the runtime's pkg-config file and its no-MLIR promise hold;
# and that another MLIR project builds a tool on the compiler's libraries.
#
#   downstream_example.sh MLC_BUILD_DIR MLC_SOURCE_DIR
# (Outputs are checked from files: `cmd | grep -q` would fail under pipefail
# when grep exits before cmd has written everything.)
set -euo pipefail
build=$(cd "$1" && pwd)
source=$(cd "$2" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/mlc-downstream.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

step "install into $prefix"
cmake --install "$build" --prefix "$prefix" > "$work/install.log"
for f in bin/mlc bin/mlc-opt lib/libmlcrt.so lib/pkgconfig/mlcrt.pc \
         lib/cmake/mlc/mlcConfig.cmake lib/cmake/mlc/MLCModel.cmake \
         lib/libMLCNNDialect.a lib/libMLCTransforms.a \
         include/mlc/Runtime/Session.h include/mlc/Dialect/NN/NNOps.h \
         include/mlc/Dialect/NN/NNOps.h.inc include/mlc/Transforms/Passes.h.inc; do
  [ -e "$prefix/$f" ] || fail "the install has no $f"
done
if ldd "$prefix/lib/libmlcrt.so" | grep -Ei 'llvm|mlir'; then
  fail "libmlcrt.so links LLVM or MLIR"
fi

# The example and the models it compiles, copied: the test touches them.
mkdir -p "$work/src"
cp -r "$source/examples/app" "$source/examples/models" "$work/src/"
app=$work/src/app
out=$work/build

step "configure and build examples/app"
cmake -S "$app" -B "$out" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
  > "$work/configure.log" || { cat "$work/configure.log"; fail "configure"; }
cmake --build "$out" | tee "$work/build1.log"
grep -q "Compiling the model tiny_resnet" "$work/build1.log" || fail "tiny_resnet not built"
grep -q "Compiling the model tiny_fcn" "$work/build1.log" || fail "tiny_fcn not built"

step "run it"
"$out/classify" | tee "$work/run.log"
for model in tiny_resnet tiny_fcn; do
  for size in 64 96; do
    grep -A1 "$model.mlc" "$work/run.log" > /dev/null || fail "$model did not run"
    grep -q "^  1x3x${size}x${size} -> " "$work/run.log" || fail "no prediction at $size"
  done
done
[ "$(grep -c ' -> ' "$work/run.log")" -eq 4 ] || fail "expected 4 predictions"

# Which models a rebuild compiled, from Ninja's descriptions.
rebuilt() {
  cmake --build "$out" | tee "$work/rebuild.log" >&2
  grep -o "Compiling the model [a-z_]*" "$work/rebuild.log" | sed 's/.* //' | sort | tr '\n' ' '
}

step "rebuild with nothing changed: nothing runs"
cmake "$out" > /dev/null   # reconfiguring does not rebuild either
[ "$(rebuilt)" = "" ] || fail "a rebuild with nothing changed compiled models"

step "touch one source model: only its model is rebuilt"
sleep 1.1
touch "$work/src/models/tiny_fcn_96.onnx"
[ "$(rebuilt)" = "tiny_fcn " ] || fail "touching tiny_fcn_96.onnx rebuilt: $(cat "$work/rebuild.log")"
[ "$(rebuilt)" = "" ] || fail "the rebuild after it was not empty"

step "change one model's options: only it is rebuilt"
sed -i 's/QUANTIZE linear8/QUANTIZE kmeans4/' "$app/CMakeLists.txt"
[ "$(rebuilt)" = "tiny_fcn " ] || fail "changing tiny_fcn's QUANTIZE rebuilt: $(cat "$work/rebuild.log")"
"$out/classify" > /dev/null || fail "the app failed on the rebuilt model"

step "pkg-config: a program built by hand against mlcrt.pc"
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
flags=$(pkg-config --cflags --libs mlcrt)
c++ -std=c++17 -O1 -o "$work/classify-pc" "$app/main.cpp" \
  '-DMLC_EXAMPLE_MODELS="'"$out"'/models/tiny_resnet.mlc"' $flags
LD_LIBRARY_PATH=$prefix/lib "$work/classify-pc" > "$work/run-pc.log" \
  || fail "the pkg-config build did not run"
grep -q "1x3x96x96 -> " "$work/run-pc.log" || fail "the pkg-config build printed no prediction"

step "the compiler's libraries in another MLIR project (COMPONENTS compiler)"
cmake -S "$source/test/Package/Inputs/nn-tool" -B "$work/nn-tool" -G Ninja \
  -DCMAKE_PREFIX_PATH="$prefix" > "$work/nn-tool.log" || { cat "$work/nn-tool.log"; fail "configure nn-tool"; }
cmake --build "$work/nn-tool" > "$work/nn-tool.log" || { cat "$work/nn-tool.log"; fail "build nn-tool"; }
"$prefix/bin/mlc" import "$work/src/models/tiny_fcn_64.onnx" -o "$work/fcn.mlirbc"
"$work/nn-tool/nn-tool" "$work/fcn.mlirbc" --mlc-check-flexible-pipeline -o /dev/null \
  2> "$work/nn-tool-run.log" || { cat "$work/nn-tool-run.log"; fail "nn-tool failed"; }
grep -q "remark: baked; outputs: out 1x5xHxW" "$work/nn-tool-run.log" \
  || { cat "$work/nn-tool-run.log"; fail "nn-tool's check-flexible pipeline"; }

echo "PASS"
