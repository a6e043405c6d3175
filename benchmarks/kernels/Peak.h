//===- Peak.h - The machine's peak floating-point rate ----------*- C++ -*-===//
//
// What the kernel benchmarks hold their GFLOP/s against: the rate of a loop
// of independent FMAs at a thread count, as this process measures it. The
// Peak/* benchmarks (Peak.cpp) report the same loop, the clock and the
// theoretical peak they imply.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_BENCHMARKS_KERNELS_PEAK_H
#define MLC_BENCHMARKS_KERNELS_PEAK_H

namespace mlc::bench {

/// GFLOP/s of the FMA loop on `threads` threads (one loop each): the best of
/// a few short runs, measured on the first call for that count, then cached.
double measuredPeakGflops(int threads);

} // namespace mlc::bench

#endif // MLC_BENCHMARKS_KERNELS_PEAK_H
