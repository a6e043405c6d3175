//===- Peak.cpp - The machine's peak floating-point rate ------------------===//
//
// Peak/FMA/threads:T: a loop of independent FMAs (AVX-512, or AVX2 on a CPU
// without avx512f) on T OpenMP threads, one loop each, in GFLOP/s: the most
// this machine computes, what a kernel's GFLOP/s is a fraction of.
// Peak/Clock: the clock of one core, from a chain of dependent integer adds
// (one cycle each), and the theoretical peak it implies, vector floats x 2
// (an FMA is two operations) x FMA units x cores x clock, so that the
// measured peak can be checked against it.
//
//===----------------------------------------------------------------------===//

#include "Peak.h"

#include <benchmark/benchmark.h>
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>

namespace mlc::bench {
namespace {

using Clock = std::chrono::steady_clock;

/// FMA units per core: 2 on the CPUs this suite runs on (AMD Zen 4 and 5,
/// Intel Xeons since Skylake-SP with two 512-bit FMA ports). On a core with
/// one, the measured peak is half the theoretical one: change it there.
constexpr int kFmaUnits = 2;
/// Independent accumulators: more than FMA latency (4 cycles) x units, so
/// the units never wait for a result.
constexpr int kAccumulators = 12;
/// FMA loop turns per run: about 10 ms on one core.
constexpr int64_t kFmaTurns = int64_t(1) << 22;
/// Dependent adds per turn of the clock loop, and turns: 10^8 cycles.
constexpr int kAddsPerTurn = 100;
constexpr int64_t kClockTurns = 1000000;

bool hasAvx512() { return __builtin_cpu_supports("avx512f"); }
/// Floats per FMA instruction.
int vectorFloats() { return hasAvx512() ? 16 : 8; }

// acc = acc * a + b converges to b / (1 - a): no overflow or denormals
// however long it runs, and no FMA can be left out by the compiler.
__attribute__((target("avx512f"))) float fmaLoopAvx512(int64_t turns) {
  __m512 acc[kAccumulators];
  for (int j = 0; j < kAccumulators; ++j)
    acc[j] = _mm512_set1_ps(static_cast<float>(j));
  const __m512 a = _mm512_set1_ps(0.999f), b = _mm512_set1_ps(0.001f);
  for (int64_t i = 0; i < turns; ++i) {
#pragma GCC unroll 12
    for (int j = 0; j < kAccumulators; ++j)
      acc[j] = _mm512_fmadd_ps(acc[j], a, b);
  }
  for (int j = 1; j < kAccumulators; ++j)
    acc[0] = _mm512_add_ps(acc[0], acc[j]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, acc[0]);
  return lanes[0] + lanes[15];
}

__attribute__((target("avx2,fma"))) float fmaLoopAvx2(int64_t turns) {
  __m256 acc[kAccumulators];
  for (int j = 0; j < kAccumulators; ++j)
    acc[j] = _mm256_set1_ps(static_cast<float>(j));
  const __m256 a = _mm256_set1_ps(0.999f), b = _mm256_set1_ps(0.001f);
  for (int64_t i = 0; i < turns; ++i) {
#pragma GCC unroll 12
    for (int j = 0; j < kAccumulators; ++j)
      acc[j] = _mm256_fmadd_ps(acc[j], a, b);
  }
  for (int j = 1; j < kAccumulators; ++j)
    acc[0] = _mm256_add_ps(acc[0], acc[j]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, acc[0]);
  return lanes[0] + lanes[7];
}

/// Floating-point operations of one run of the FMA loops on `threads` threads.
double fmaRunFlops(int threads) {
  return 2.0 * vectorFloats() * kAccumulators * kFmaTurns * threads;
}

/// Seconds of one run: kFmaTurns turns of the FMA loop on each of `threads`
/// threads.
double runFmaLoops(int threads) {
  float sink = 0;
  Clock::time_point start = Clock::now();
#pragma omp parallel num_threads(threads) reduction(+ : sink)
  sink += hasAvx512() ? fmaLoopAvx512(kFmaTurns) : fmaLoopAvx2(kFmaTurns);
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  benchmark::DoNotOptimize(sink);
  return seconds;
}

/// GHz of one core: each add waits for the one before, so a turn takes
/// kAddsPerTurn cycles (the loop counter runs beside the chain).
double runClockLoop() {
  int64_t x = 0, one = 1, turns = kClockTurns;
  Clock::time_point start = Clock::now();
  asm volatile("1:\n\t"
               ".rept %c[adds]\n\t"
               "add %[one], %[x]\n\t"
               ".endr\n\t"
               "dec %[turns]\n\t"
               "jnz 1b"
               : [x] "+r"(x), [turns] "+r"(turns)
               : [one] "r"(one), [adds] "i"(kAddsPerTurn)
               : "cc");
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return double(kClockTurns) * kAddsPerTurn / seconds / 1e9;
}

/// The clock, best of a few runs (a run the scheduler interrupted is slow).
double clockGHz() {
  static const double ghz = [] {
    double best = 0;
    for (int i = 0; i < 5; ++i)
      best = std::max(best, runClockLoop());
    return best;
  }();
  return ghz;
}

/// The most `threads` cores compute: vector floats x 2 x FMA units x clock.
double theoreticalGflops(int threads) {
  return vectorFloats() * 2.0 * kFmaUnits * threads * clockGHz();
}

void peakFma(benchmark::State &state) {
  int threads = static_cast<int>(state.range(0));
  double seconds = 0;
  for (auto _ : state)
    seconds += runFmaLoops(threads);
  double gflops = fmaRunFlops(threads) * state.iterations() / seconds / 1e9;
  state.counters["GFLOP/s"] = gflops;
  state.counters["theoretical_GFLOP/s"] = theoreticalGflops(threads);
  state.counters["of_theoretical"] = gflops / theoreticalGflops(threads);
  state.SetLabel(hasAvx512() ? "avx512f" : "avx2");
}

void peakClock(benchmark::State &state) {
  double sum = 0;
  for (auto _ : state)
    sum += runClockLoop();
  int cores = omp_get_num_procs();
  state.counters["GHz"] = sum / state.iterations();
  state.counters["cores"] = cores;
  state.counters["vector_floats"] = vectorFloats();
  state.counters["fma_units"] = kFmaUnits;
  state.counters["theoretical_GFLOP/s"] = theoreticalGflops(cores);
}

// 1 thread and one per core.
BENCHMARK(peakFma)
    ->Name("Peak/FMA")
    ->ArgName("threads")
    ->Apply([](benchmark::internal::Benchmark *b) {
      b->Arg(1);
      if (omp_get_num_procs() > 1)
        b->Arg(omp_get_num_procs());
    })
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(peakClock)->Name("Peak/Clock")->UseRealTime()->Unit(benchmark::kMillisecond);

} // namespace

double measuredPeakGflops(int threads) {
  static std::map<int, double> cache;
  auto [it, inserted] = cache.try_emplace(threads, 0.0);
  if (inserted)
    for (int i = 0; i < 5; ++i)
      it->second =
          std::max(it->second, fmaRunFlops(threads) / runFmaLoops(threads) / 1e9);
  return it->second;
}

} // namespace mlc::bench
