//===- KernelBenchUtils.h - Running one kernel in a benchmark ---*- C++ -*-===//
//
// What a kernel benchmark needs to make and run one kernel without a .mlc
// file: a tensor in 64-byte aligned memory of its own with a TensorRef over
// it, and a Conv op in a FlatBuffer of its own (the approach of
// test/Runtime/KernelTestUtils.h's TestOp, without GoogleTest).
//
//   BenchTensor x({1, 64, 56, 56}, Layout::channelsLast);
//   BenchTensor w({64, 64, 3, 3}, Layout::plain, /*constant=*/true);
//   ConvOp op(/*stride=*/1, /*pad=*/1, /*dilation=*/1, /*group=*/1);
//
//===----------------------------------------------------------------------===//

#ifndef MLC_BENCHMARKS_KERNELS_KERNELBENCHUTILS_H
#define MLC_BENCHMARKS_KERNELS_KERNELBENCHUTILS_H

#include "Kernel.h"
#include "Peak.h"

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <random>
#include <vector>

namespace mlc::bench {

/// An f32 tensor owning 64-byte aligned bytes (as the runtime's arena and
/// weight section are), filled with values uniform in [-1, 1) from `seed`,
/// and a TensorRef over them. Moving keeps the bytes where they are.
struct BenchTensor {
  BenchTensor(std::vector<int64_t> dims, rt::Layout layout,
              bool constant = false, unsigned seed = 0)
      : storage(nullptr, &std::free) {
    ref.dims = std::move(dims);
    ref.layout = layout;
    ref.constant = constant;
    size_t bytes = (ref.bytes() + 63) / 64 * 64;
    storage.reset(static_cast<float *>(std::aligned_alloc(64, bytes)));
    ref.data = storage.get();
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    for (int64_t i = 0; i < ref.count(); ++i)
      storage.get()[i] = uniform(rng);
  }

  rt::TensorRef ref;
  std::unique_ptr<float, decltype(&std::free)> storage;
};

/// An op of `type` whose parameters `make(builder)` builds, in a FlatBuffer
/// the object owns.
class ParamsOp {
public:
  template <typename Make> ParamsOp(format::OpParams type, Make make) {
    auto params = make(builder);
    // Kernels take their operands from KernelArgs: the op's operand index
    // lists stay empty.
    auto op = format::CreateOp(builder, builder.CreateString("op"), type,
                               params.Union(),
                               builder.CreateVector(std::vector<int32_t>{}),
                               builder.CreateVector(std::vector<int32_t>{}));
    builder.Finish(op);
  }

  const format::Op *op() const {
    return flatbuffers::GetRoot<format::Op>(builder.GetBufferPointer());
  }

private:
  flatbuffers::FlatBufferBuilder builder;
};

/// A 2-D Conv op (square strides, pads and dilations) with a fused
/// activation.
class ConvOp : public ParamsOp {
public:
  ConvOp(int64_t stride, int64_t pad, int64_t dilation, int64_t group,
         format::ActivationKind activation = format::ActivationKind::relu)
      : ParamsOp(format::OpParams::ConvParams,
                 [&](flatbuffers::FlatBufferBuilder &b) {
                   format::Activation act(activation, 0.0f, 0.0f);
                   return format::CreateConvParams(
                       b, b.CreateVector(std::vector<int64_t>{stride, stride}),
                       b.CreateVector(std::vector<int64_t>(4, pad)),
                       b.CreateVector(std::vector<int64_t>{dilation, dilation}),
                       group, format::AutoPad::notset, &act);
                 }) {}
};

/// Kernels that run one after another, each with its args, as a prediction
/// runs them.
struct KernelSequence {
  std::vector<std::unique_ptr<rt::Kernel>> kernels;
  std::vector<rt::KernelArgs> args;

  void add(std::unique_ptr<rt::Kernel> kernel, rt::KernelArgs kernelArgs) {
    kernels.push_back(std::move(kernel));
    args.push_back(std::move(kernelArgs));
  }
  void run() {
    for (size_t i = 0; i < kernels.size(); ++i)
      kernels[i]->run(args[i]);
  }
  /// Makes the kernels with `make(*this)`, prepares `session` and runs them
  /// once (warm, as a warm prediction); false, the benchmark skipped with
  /// why, when one is missing (`missing`) or making or running one throws.
  template <typename Make>
  bool prepare(benchmark::State &state, rt::BackendState &session,
               const char *missing, Make make) {
    try {
      make(*this);
      for (const auto &kernel : kernels)
        if (!kernel) {
          state.SkipWithError(missing);
          return false;
        }
      session.prepare();
      run();
    } catch (const std::exception &e) {
      state.SkipWithError(e.what());
      return false;
    }
    return true;
  }
};

/// Registers `run` as NAME/threads:T/FLAG:F for T in 1, 2 and F in 0, 1
/// (a case as two kernels or as one), timed in real milliseconds.
template <typename Run>
void registerThreadsAndFlag(const std::string &name, const char *flag,
                            Run run) {
  benchmark::RegisterBenchmark(name.c_str(), run)
      ->ArgNames({"threads", flag})
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond)
      ->ArgsProduct({{1, 2}, {0, 1}});
}

/// Runs `run` in the benchmark's loop; the loop's wall time in seconds.
template <typename Run> double timeLoop(benchmark::State &state, Run run) {
  auto start = std::chrono::steady_clock::now();
  for (auto _ : state)
    run();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                       start)
      .count();
}

/// Runs `run` in the benchmark's loop and reports the work, `flops` per run
/// (GFLOP), its rate over the loop's wall time (GFLOP/s), and that rate over
/// the FMA loop's at `threads` threads (of_peak).
template <typename Run>
void timeRuns(benchmark::State &state, double flops, int threads, Run run) {
  double seconds = timeLoop(state, run);
  double gflops = flops * state.iterations() / seconds / 1e9;
  state.counters["GFLOP"] = flops / 1e9;
  state.counters["GFLOP/s"] = gflops;
  state.counters["of_peak"] = gflops / measuredPeakGflops(threads);
}

} // namespace mlc::bench

#endif // MLC_BENCHMARKS_KERNELS_KERNELBENCHUTILS_H
