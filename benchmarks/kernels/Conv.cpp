//===- Conv.cpp - The main convolutions of three networks -----------------===//
//
// Conv/<network>.<role>/<shape>/batch:B/threads:T: one convolution of
// torchvision resnet18, mobilenet_v2 or fcn_resnet50 through the runtime's
// own kernel, made as a Session makes it (makeOneDNNKernel; the weight a
// constant; bias and ReLU fused, as after BatchNorm folding; activations
// channels-last, the layout the runtime keeps them in) and timed over
// kernel->run, after one untimed run. oneDNN computes on T OpenMP threads
// (omp_set_num_threads) under one benchmark thread.
//
// A 3x3 stride-1 convolution also runs as the kernels a session's tuning
// may pick instead (KernelArgs::variant, with a session's state, which
// allows them): algorithm:1, Winograd's algorithm; algorithm:4, on two
// threads, one-thread Winograd kernels on parts of the rows side by side. GFLOP/s counts the direct
// algorithm's operations, 2 x N x OC x OH x OW x IC/group x KH x KW,
// whatever the kernel does (a Winograd kernel does fewer); of_peak is that
// rate over the FMA loop's at T threads (Peak.h).
// Shapes read IN-OUT_KxK[sS][dD]_SIZE, or C_KxKdw_SIZE for a depthwise conv.
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

struct ConvCase {
  const char *network, *role;
  int64_t in, out, size, kernel, stride, dilation, group;
  ActivationKind activation;
  bool batch8; // Also at batch 8.
};

constexpr ActivationKind relu = ActivationKind::relu;
constexpr ActivationKind none = ActivationKind::none;

// clang-format off
const ConvCase kCases[] = {
  // network         role         in    out   size k  s  d  group  act   batch8
  {"resnet18",     "stem",        3,    64,   224, 7, 2, 1, 1,     relu, false},
  {"resnet18",     "layer1",      64,   64,   56,  3, 1, 1, 1,     relu, true},
  {"resnet18",     "layer2",      128,  128,  28,  3, 1, 1, 1,     relu, false},
  {"resnet18",     "layer3",      256,  256,  14,  3, 1, 1, 1,     relu, true},
  {"resnet18",     "layer4",      512,  512,  7,   3, 1, 1, 1,     relu, false},
  {"mobilenet_v2", "expand",      24,   144,  56,  1, 1, 1, 1,     relu, true},
  {"mobilenet_v2", "depthwise",   144,  144,  56,  3, 1, 1, 144,   relu, true},
  {"mobilenet_v2", "project",     144,  24,   56,  1, 1, 1, 1,     none, false},
  {"mobilenet_v2", "depthwise",   960,  960,  7,   3, 1, 1, 960,   relu, false},
  {"fcn_resnet50", "head",        2048, 512,  28,  3, 1, 1, 1,     relu, false},
  {"fcn_resnet50", "layer4",      512,  512,  28,  3, 1, 2, 1,     relu, false},
  {"fcn_resnet50", "layer4",      512,  512,  28,  3, 1, 4, 1,     relu, false},
  {"fcn_resnet50", "layer4",      1024, 2048, 28,  1, 1, 1, 1,     none, false},
  // layer3 at a 448x448 input.
  {"fcn_resnet50", "layer3",      256,  256,  56,  3, 1, 2, 1,     relu, false},
};
// clang-format on

std::string caseName(const ConvCase &c) {
  std::string k = std::to_string(c.kernel);
  std::string name = std::string("Conv/") + c.network + "." + c.role + "/";
  if (c.group == c.in && c.group == c.out && c.group > 1)
    name += std::to_string(c.in) + "_" + k + "x" + k + "dw";
  else
    name += std::to_string(c.in) + "-" + std::to_string(c.out) + "_" + k +
            "x" + k;
  if (c.stride > 1)
    name += "s" + std::to_string(c.stride);
  if (c.dilation > 1)
    name += "d" + std::to_string(c.dilation);
  return name + "_" + std::to_string(c.size);
}

bool hasWinograd(const ConvCase &c) {
  return c.kernel == 3 && c.stride == 1 && c.dilation == 1 && c.group == 1;
}

void benchConv(benchmark::State &state, const ConvCase &c) {
  int64_t batch = state.range(0);
  int threads = static_cast<int>(state.range(1));
  int algorithm = static_cast<int>(state.range(2));
  omp_set_num_threads(threads);
  // Same padding, as in the networks.
  int64_t pad = c.dilation * (c.kernel - 1) / 2;
  int64_t outSize =
      (c.size + 2 * pad - c.dilation * (c.kernel - 1) - 1) / c.stride + 1;
  BenchTensor x({batch, c.in, c.size, c.size}, Layout::channelsLast, false, 1);
  BenchTensor w({c.out, c.in / c.group, c.kernel, c.kernel}, Layout::plain,
                true, 2);
  BenchTensor bias({c.out}, Layout::plain, true, 3);
  BenchTensor y({batch, c.out, outSize, outSize}, Layout::channelsLast);
  ConvOp op(c.stride, pad, c.dilation, c.group, c.activation);
  std::vector<int64_t> noExprs;
  rt::KernelArgs args;
  args.op = op.op();
  args.inputs = {&x.ref, &w.ref, &bias.ref};
  args.outputs = {&y.ref};
  args.exprValues = &noExprs;
  args.threads = threads;
  // The session's state: its scratchpad and staging, and Winograd allowed.
  std::unique_ptr<rt::BackendState> session = rt::makeOneDNNState(true);
  args.backend = session.get();
  args.variant = algorithm;

  std::unique_ptr<rt::Kernel> kernel;
  try {
    kernel = rt::makeOneDNNKernel(args);
    session->prepare();
    if (kernel)
      kernel->run(args); // Primitive and caches warm, as a warm prediction.
  } catch (const std::exception &e) {
    state.SkipWithError(e.what());
    return;
  }
  if (!kernel) {
    state.SkipWithError("oneDNN makes no kernel for this conv");
    return;
  }
  double flops = 2.0 * batch * c.out * outSize * outSize * (c.in / c.group) *
                 c.kernel * c.kernel;
  timeRuns(state, flops, threads, [&] { kernel->run(args); });
}

const bool registered = [] {
  for (const ConvCase &c : kCases) {
    benchmark::internal::Benchmark *b = benchmark::RegisterBenchmark(
        caseName(c).c_str(),
        [c](benchmark::State &state) { benchConv(state, c); });
    b->ArgNames({"batch", "threads", "algorithm"})
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
    for (int64_t algorithm :
         {rt::kConvDefault, rt::kConvWinograd, rt::kConvWinogradRowParts})
      if (algorithm == rt::kConvDefault || hasWinograd(c))
        for (int64_t batch : {1, 8})
          if (batch == 1 || c.batch8)
            for (int64_t threads : {1, 2})
              if (threads > 1 || algorithm != rt::kConvWinogradRowParts)
                b->Args({batch, threads, algorithm});
  }
  return true;
}();

} // namespace
} // namespace mlc::bench
