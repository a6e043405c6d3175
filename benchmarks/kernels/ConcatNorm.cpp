//===- ConcatNorm.cpp - DenseNet's concatenations, normalized -------------===//
//
// ConcatNorm/densenet121.<layer>/<shape>/threads:T/fused:F: the concatenation
// of a dense layer's inputs (the block's first features and each layer's 32
// new channels) and the batch norm and ReLU that alone read it, at a 448x448
// input, channels-last: as the Concat's and the BatchNorm's own kernels
// (fused:0, the concatenation written to memory and read back) or as one
// (fused:1, makeOneDNNConcatNorm). GB/s counts the bytes the fused kernel
// must move: every input read once, the output written once.
// Shapes read FIRST+LAYERSx32_SIZE.
//
//===----------------------------------------------------------------------===//

#include "KernelBenchUtils.h"

#include <benchmark/benchmark.h>
#include <omp.h>

#include <string>

namespace mlc::bench {
namespace {

using rt::Layout;

struct LayerCase {
  const char *layer;
  int64_t first, layers, size;
};

// The sixth layer of the first block (6 inputs, 224 channels at 112x112)
// and the last of the third (24 inputs, 992 channels at 28x28).
const LayerCase kLayers[] = {
    {"denseblock1.denselayer6", 64, 5, 112},
    {"denseblock3.denselayer24", 256, 23, 28},
};

std::string layerName(const LayerCase &c) {
  return std::string("ConcatNorm/densenet121.") + c.layer + "/" +
         std::to_string(c.first) + "+" + std::to_string(c.layers) + "x32_" +
         std::to_string(c.size);
}

void benchLayer(benchmark::State &state, const LayerCase &c) {
  int threads = static_cast<int>(state.range(0));
  bool fused = state.range(1) != 0;
  omp_set_num_threads(threads);
  int64_t channels = c.first + 32 * c.layers;
  std::vector<BenchTensor> inputs;
  inputs.emplace_back(std::vector<int64_t>{1, c.first, c.size, c.size},
                      Layout::channelsLast, false, 1);
  for (int64_t i = 0; i < c.layers; ++i)
    inputs.emplace_back(std::vector<int64_t>{1, 32, c.size, c.size},
                        Layout::channelsLast, false, 2 + i);
  BenchTensor joined({1, channels, c.size, c.size}, Layout::channelsLast),
      y({1, channels, c.size, c.size}, Layout::channelsLast),
      gamma({channels}, Layout::plain, true, 100),
      beta({channels}, Layout::plain, true, 101),
      mean({channels}, Layout::plain, true, 102),
      var({channels}, Layout::plain, true, 103);
  // Variances are positive.
  for (int64_t i = 0; i < channels; ++i)
    var.storage.get()[i] += 1.5f;
  ParamsOp concatOp(format::OpParams::ConcatParams,
                    [](auto &b) { return format::CreateConcatParams(b, 1); });
  ParamsOp normOp(format::OpParams::BatchNormParams, [](auto &b) {
    format::Activation relu(format::ActivationKind::relu, 0.0f, 0.0f);
    return format::CreateBatchNormParams(b, 1e-5f, &relu);
  });
  std::vector<int64_t> noExprs;
  std::unique_ptr<rt::BackendState> session = rt::makeOneDNNState(true);
  rt::KernelArgs concat, norm;
  concat.op = concatOp.op();
  for (BenchTensor &input : inputs)
    concat.inputs.push_back(&input.ref);
  concat.outputs = {&joined.ref};
  norm.op = normOp.op();
  norm.inputs = {&joined.ref, &gamma.ref, &beta.ref, &mean.ref, &var.ref};
  norm.outputs = {&y.ref};
  for (rt::KernelArgs *args : {&concat, &norm}) {
    args->exprValues = &noExprs;
    args->threads = threads;
    args->backend = session.get();
  }

  // What runs: the fused kernel with its args, or each op's with its own.
  KernelSequence sequence;
  if (!sequence.prepare(state, *session, "no kernel for this layer",
                        [&](KernelSequence &s) {
                          if (fused) {
                            s.add(rt::makeOneDNNConcatNorm(concat, norm),
                                  rt::concatNormArgs(concat, norm));
                            return;
                          }
                          for (const rt::KernelArgs &args : {concat, norm})
                            s.add(rt::makeOneDNNKernel(args), args);
                        }))
    return;
  double seconds = timeLoop(state, [&] { sequence.run(); });
  double bytes = 2.0 * y.ref.bytes();
  state.counters["GB/s"] = bytes * state.iterations() / seconds / 1e9;
}

const bool registered = [] {
  for (const LayerCase &c : kLayers)
    registerThreadsAndFlag(layerName(c), "fused",
                           [c](benchmark::State &state) { benchLayer(state, c); });
  return true;
}();

} // namespace
} // namespace mlc::bench
