//===- ConvChain.cpp - Inverted residual blocks, chained and op by op -----===//
//
// ConvChain/mobilenet_v2.<block>/<shape>/threads:T/chained:C: one inverted
// residual block of mobilenet_v2 at a 448x448 input (a 1x1 expansion, a 3x3
// depthwise, a 1x1 projection, ReLU after the first two), run op by op
// through three runtime kernels (chained:0, makeOneDNNKernel, the wide
// tensors between them in memory) or as one Conv chain on bands of rows
// (chained:1, makeOneDNNConvChain with a session's default band size),
// activations channels-last. GFLOP/s counts the three convolutions' direct
// operations; of_peak is that over the FMA loop's rate at T threads.
// Shapes read IN-EXPANDED-OUT_sS_SIZE.
//
//===----------------------------------------------------------------------===//

#include "KernelBenchUtils.h"

#include <benchmark/benchmark.h>
#include <omp.h>

#include <string>

namespace mlc::bench {
namespace {

using format::ActivationKind;
using rt::Layout;

struct BlockCase {
  const char *block;
  int64_t in, expanded, out, size, stride;
};

// features.2 (the widest tensor of the network: 96 x 224 x 224) and
// features.3 (with its residual) at a 448x448 input.
const BlockCase kBlocks[] = {
    {"features.2", 16, 96, 24, 224, 2},
    {"features.3", 24, 144, 24, 112, 1},
};

std::string blockName(const BlockCase &c) {
  return std::string("ConvChain/mobilenet_v2.") + c.block + "/" +
         std::to_string(c.in) + "-" + std::to_string(c.expanded) + "-" +
         std::to_string(c.out) + "_s" + std::to_string(c.stride) + "_" +
         std::to_string(c.size);
}

void benchBlock(benchmark::State &state, const BlockCase &c) {
  int threads = static_cast<int>(state.range(0));
  bool chained = state.range(1) != 0;
  omp_set_num_threads(threads);
  int64_t outSize = (c.size - 1) / c.stride + 1;
  bool residual = c.stride == 1 && c.in == c.out;
  BenchTensor x({1, c.in, c.size, c.size}, Layout::channelsLast, false, 1);
  BenchTensor wide({1, c.expanded, c.size, c.size}, Layout::channelsLast);
  BenchTensor filtered({1, c.expanded, outSize, outSize},
                       Layout::channelsLast);
  BenchTensor y({1, c.out, outSize, outSize}, Layout::channelsLast);
  BenchTensor w0({c.expanded, c.in, 1, 1}, Layout::plain, true, 2),
      w1({c.expanded, 1, 3, 3}, Layout::plain, true, 3),
      w2({c.out, c.expanded, 1, 1}, Layout::plain, true, 4),
      b0({c.expanded}, Layout::plain, true, 5),
      b1({c.expanded}, Layout::plain, true, 6),
      b2({c.out}, Layout::plain, true, 7);
  ConvOp expand(1, 0, 1, 1), depthwise(c.stride, 1, 1, c.expanded),
      project(1, 0, 1, 1, ActivationKind::none);
  std::vector<int64_t> noExprs;
  std::unique_ptr<rt::BackendState> session = rt::makeOneDNNState(true);
  auto argsOf = [&](const ConvOp &op, std::vector<rt::TensorRef *> inputs,
                    BenchTensor &output) {
    rt::KernelArgs args;
    args.op = op.op();
    args.inputs = std::move(inputs);
    args.outputs = {&output.ref};
    args.exprValues = &noExprs;
    args.threads = threads;
    args.backend = session.get();
    return args;
  };
  std::vector<rt::KernelArgs> stages = {
      argsOf(expand, {&x.ref, &w0.ref, &b0.ref}, wide),
      argsOf(depthwise, {&wide.ref, &w1.ref, &b1.ref}, filtered),
      argsOf(project,
             {&filtered.ref, &w2.ref, &b2.ref, residual ? &x.ref : nullptr},
             y)};

  // What runs: the chain with its args, or each conv with its own.
  KernelSequence sequence;
  if (!sequence.prepare(state, *session, "oneDNN makes no kernel for this block",
                        [&](KernelSequence &s) {
                          if (chained) {
                            s.add(rt::makeOneDNNConvChain(stages),
                                  rt::convChainArgs(stages));
                            return;
                          }
                          for (const rt::KernelArgs &args : stages)
                            s.add(rt::makeOneDNNKernel(args), args);
                        }))
    return;
  double flops = 2.0 * c.expanded *
                 (c.size * c.size * c.in + outSize * outSize * (9 + c.out));
  timeRuns(state, flops, threads, [&] { sequence.run(); });
}

const bool registered = [] {
  for (const BlockCase &c : kBlocks)
    registerThreadsAndFlag(blockName(c), "chained",
                           [c](benchmark::State &state) { benchBlock(state, c); });
  return true;
}();

} // namespace
} // namespace mlc::bench
