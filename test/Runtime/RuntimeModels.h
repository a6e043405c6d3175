//===- RuntimeModels.h - The .mlc models the runtime tests use --*- C++ -*-===//
//
// The runtime tests read small .mlc models that the `MLCRuntimeModels` ctest
// fixture compiles from examples/models at test time (the tests themselves
// never run the compiler). ctest passes the directory in
// MLC_TEST_MODEL_DIR; to run a test binary by hand, run that fixture once
// (`ctest -R MLCRuntimeModels`) and export the variable:
//
//   MLC_TEST_MODEL_DIR=build-tests/test/Runtime/models ./MLCSessionTest
//
// Models there:
//   resnet.mlc      tiny_resnet_64: one shape, 1x3x64x64, batchable
//   mobilenet.mlc   tiny_mobilenetv2_96: one shape, 1x3x96x96, inverted
//                   residual blocks
//   fcn.mlc         tiny_fcn 64 and 96 merged: enumerated 1x3x64x64, 1x3x96x96
//   fcn_ranged.mlc  tiny_fcn merged with --shapes 64..96:16: a ranged input,
//                   planned at the exports' 1x3x64x64 and 1x3x96x96
//   fcn_unplanned.mlc  test/Merge/Inputs/fcn_dynamic (an FCN of 21 classes
//                   exported with dynamic H and W) given --shapes 64..96:16:
//                   a ranged input with no plan stored
//
//===----------------------------------------------------------------------===//

#ifndef MLC_TEST_RUNTIME_RUNTIMEMODELS_H
#define MLC_TEST_RUNTIME_RUNTIMEMODELS_H

#include "mlc/Format/Format.h"
#include "mlc/Format/Schema_generated.h"
#include "mlc/Runtime/Model.h"
#include "mlc/Runtime/Tensor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace mlc::test {

/// The path of fixture model `file`, or "" when MLC_TEST_MODEL_DIR is unset.
inline std::string runtimeModelPath(const std::string &file) {
  const char *dir = std::getenv("MLC_TEST_MODEL_DIR");
  if (!dir || !*dir)
    return "";
  return std::string(dir) + "/" + file;
}

/// Loads fixture model `file`; fails the test (and gives null) when it is
/// not there.
inline std::shared_ptr<const rt::Model> loadRuntimeModel(const std::string &file) {
  std::string path = runtimeModelPath(file);
  if (path.empty()) {
    ADD_FAILURE() << "MLC_TEST_MODEL_DIR is not set: run through ctest, or "
                     "see test/Runtime/RuntimeModels.h";
    return nullptr;
  }
  try {
    return rt::Model::load(path);
  } catch (const rt::Error &e) {
    ADD_FAILURE() << "cannot load " << path << ": " << e.what();
    return nullptr;
  }
}

/// `auto var = loadRuntimeModel(file)`, returning from the test when null.
#define LOAD_OR_RETURN(var, file)                                              \
  auto var = ::mlc::test::loadRuntimeModel(file);                              \
  if (!var)                                                                    \
    return;

/// The bytes of a file; empty when it cannot be read.
inline std::vector<uint8_t> readFileBytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return {};
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in),
                              std::istreambuf_iterator<char>());
}

/// The bytes of a .mlc file of `model` and its weight section, as the
/// lowering writes them: the size-prefixed graph, then the weights at the
/// next multiple of 64 (model.weights_offset is set to it).
inline std::vector<uint8_t> packModel(format::ModelT &model,
                                      const std::vector<uint8_t> &weightBytes) {
  auto pack = [&](flatbuffers::FlatBufferBuilder &builder) {
    builder.ForceDefaults(false);
    builder.FinishSizePrefixed(format::Model::Pack(builder, &model),
                               format::ModelIdentifier());
  };
  model.weights_offset = 1;
  flatbuffers::FlatBufferBuilder first;
  pack(first);
  model.weights_offset = (first.GetSize() + format::kWeightAlignment - 1) /
                         format::kWeightAlignment * format::kWeightAlignment;
  flatbuffers::FlatBufferBuilder builder;
  pack(builder);
  std::vector<uint8_t> file(model.weights_offset + model.weights_length, 0);
  std::memcpy(file.data(), builder.GetBufferPointer(), builder.GetSize());
  std::copy(weightBytes.begin(), weightBytes.end(),
            file.begin() + model.weights_offset);
  return file;
}

/// A float32 tensor of `shape` with deterministic values in [-1, 1).
inline rt::Tensor patternTensor(const std::vector<int64_t> &shape,
                                uint32_t seed = 1) {
  rt::Tensor tensor(rt::ElementType::f32, shape);
  float *values = tensor.data<float>();
  uint32_t state = seed * 2654435761u + 12345u;
  for (int64_t i = 0; i < tensor.elementCount(); ++i) {
    state = state * 1664525u + 1013904223u;
    values[i] = float(state >> 8) / float(1u << 23) - 1.0f;
  }
  return tensor;
}

} // namespace mlc::test

#endif // MLC_TEST_RUNTIME_RUNTIMEMODELS_H
