//===- AllocationTest.cpp - Predictions allocate nothing once prepared ----===//
//
// The runtime's promise to apps that predict in a loop: once a shape's plan
// is made (and its first prediction has run), a prediction into reused
// outputs allocates no buffer. This executable replaces the C allocator's
// entry points (malloc, calloc, realloc, posix_memalign, aligned_alloc and
// memalign, which every library in the process then calls, operator new
// included) with ones that count the calls and the largest size and pass
// them on to glibc's.
//
// Small bookkeeping remains, and is allowed: oneDNN 2.6 allocates a few
// nodes in every primitive execution (the map of its arguments, built
// inside dnnl_primitive_execute), which no caller can avoid, and some
// reference kernels (the oracle, which the Fast backend runs only for ops
// oneDNN does not) a vector of strides. No buffer.
//
//===----------------------------------------------------------------------===//

#include "Kernel.h"
#include "RuntimeModels.h"

#include "mlc/Runtime/Session.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>

extern "C" {
void *__libc_malloc(size_t);
void *__libc_calloc(size_t, size_t);
void *__libc_realloc(void *, size_t);
void *__libc_memalign(size_t, size_t);
}

namespace {
std::atomic<long> allocations{0};
std::atomic<size_t> largest{0};

void count(size_t size) {
  ++allocations;
  size_t seen = largest.load();
  while (size > seen && !largest.compare_exchange_weak(seen, size)) {
  }
}
} // namespace

extern "C" {
void *malloc(size_t size) {
  count(size);
  return __libc_malloc(size);
}
void *calloc(size_t n, size_t size) {
  count(n * size);
  return __libc_calloc(n, size);
}
void *realloc(void *p, size_t size) {
  count(size);
  return __libc_realloc(p, size);
}
void *memalign(size_t alignment, size_t size) {
  count(size);
  return __libc_memalign(alignment, size);
}
void *aligned_alloc(size_t alignment, size_t size) {
  count(size);
  return __libc_memalign(alignment, size);
}
int posix_memalign(void **p, size_t alignment, size_t size) {
  count(size);
  *p = __libc_memalign(alignment, size);
  return *p ? 0 : 12; // ENOMEM
}
}

using namespace mlc::rt;

namespace {

struct Allocations {
  long calls;
  size_t largest;
};

// What `fn` allocated.
template <typename Fn> Allocations allocationsOf(Fn fn) {
  long before = allocations.load();
  largest = 0;
  fn();
  return {allocations.load() - before, largest.load()};
}

// The most one allocation of bookkeeping takes; a buffer (a tensor, a
// scratchpad, an arena, a copy) takes more.
constexpr size_t kBookkeepingBytes = 512;

void expectNoAllocation(const std::string &file,
                        const std::vector<int64_t> &shape, Backend backend,
                        int threads) {
  SCOPED_TRACE(file + (backend == Backend::Fast ? " Fast" : " Reference") +
               ", " + std::to_string(threads) + " threads");
  // Below AVX-512 oneDNN 2.6 runs a Gemm or MatMul of several rows (a
  // batch's classifier, ConvNeXt's Linear layers) by its only matmul there,
  // gemm:jit, which allocates its packing buffers at every call.
  if (backend == Backend::Fast && !oneDNNHasAVX512())
    GTEST_SKIP() << "oneDNN's matmul allocates at every call below AVX-512";
  LOAD_OR_RETURN(model, file);
  Session session(model, {threads, backend});
  TensorMap inputs;
  inputs.emplace("image", mlc::test::patternTensor(shape, 3));
  TensorMap outputs;
  session.predict(inputs, outputs);
  // The counter works: a prediction that returns new outputs allocates them.
  Allocations fresh = allocationsOf([&] { session.predict(inputs); });
  EXPECT_GT(fresh.calls, 0);
  EXPECT_GE(fresh.largest, outputs.begin()->second.byteSize());
  for (int run = 0; run < 3; ++run) {
    Allocations reused =
        allocationsOf([&] { session.predict(inputs, outputs); });
    EXPECT_LE(reused.largest, kBookkeepingBytes)
        << "run " << run << ": " << reused.calls << " allocations";
  }
  // A batch (split across the threads when there are two) reuses its
  // results, its stacked inputs and outputs.
  std::vector<TensorMap> batch(4, inputs), results;
  session.predictBatch(batch, results);
  for (int run = 0; run < 3; ++run) {
    Allocations reused =
        allocationsOf([&] { session.predictBatch(batch, results); });
    EXPECT_LE(reused.largest, kBookkeepingBytes)
        << "batch run " << run << ": " << reused.calls << " allocations";
  }
}

TEST(Allocation, NoBufferOnThePredictionPathOnceAShapeHasRun) {
  for (Backend backend : {Backend::Fast, Backend::Reference})
    for (int threads : {1, 2}) {
      expectNoAllocation("resnet.mlc", {1, 3, 64, 64}, backend, threads);
      expectNoAllocation("fcn.mlc", {1, 3, 96, 96}, backend, threads);
      // The newer classifiers' blocks: fused pairs (squeeze-and-excitation,
      // concatenations with their norms), channel gathers, ConvNeXt's.
      expectNoAllocation("blocks.mlc", {1, 3, 64, 64}, backend, threads);
    }
}

// A session makes the outputs of the shapes it makes ready (their page
// faults are then taken with it, not in a prediction): the first prediction
// at such a shape, and the first batch of a size it was told of, allocate no
// buffer either.
TEST(Allocation, FirstPredictionsTakeOutputsMadeWithTheSession) {
  for (int threads : {1, 2}) {
    SCOPED_TRACE(std::to_string(threads) + " threads");
    LOAD_OR_RETURN(model, "fcn.mlc");
    SessionOptions options{threads, Backend::Fast};
    options.batchSizes = {4};
    Session session(model, options);
    for (int64_t size : {64, 96}) {
      TensorMap inputs;
      inputs.emplace("image", mlc::test::patternTensor({1, 3, size, size}, 3));
      TensorMap outputs;
      Allocations first =
          allocationsOf([&] { session.predict(inputs, outputs); });
      EXPECT_LE(first.largest, kBookkeepingBytes)
          << size << ": " << first.calls << " allocations";
      std::vector<TensorMap> batch(4, inputs), results;
      Allocations firstBatch =
          allocationsOf([&] { session.predictBatch(batch, results); });
      EXPECT_LE(firstBatch.largest, kBookkeepingBytes)
          << size << ", batch: " << firstBatch.calls << " allocations";
      // Those outputs were the predictions' own.
      EXPECT_EQ(outputs.begin()->second.byteSize(),
                results[3].begin()->second.byteSize());
    }
  }
}

} // namespace
