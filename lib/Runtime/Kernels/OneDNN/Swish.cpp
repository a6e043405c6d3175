//===- Swish.cpp - x * sigmoid(x) over a kernel's output ------------------===//
//
// oneDNN 2.6 computes swish (SiLU, efficientnet's activation) at about 16
// cycles per 16 floats, whether as a convolution's post-op or as its own
// eltwise primitive: in efficientnet_b0 that was a quarter of the
// prediction. This loop computes x / (1 + exp(-x)) with exp(-x) = 2^n
// exp(-s): n = round(-x log2 e), s = x + n ln 2 in [-ln 2 / 2, ln 2 / 2],
// and exp(-s) by a degree-6 polynomial fitted for the least largest
// relative error on that interval (1.9e-9 in exact arithmetic). With
// AVX-512 (where oneDNN may use it: DNNL_MAX_CPU_ISA) the division is a
// reciprocal estimate refined by one Newton step, 2^n a scalef, and eight
// vectors go through each step together; elsewhere the compiler vectorizes
// the scalar loop for the machine's widest vectors (target_clones picks the
// AVX2 or baseline copy at load time). Within 2.5e-7 of the exact value,
// relative, for x above -88.3 (1.8e-7 by the scalar loop's division; every
// 13th float checked); 6.7 floats per ns on one Zen 5 core, where the Cephes
// expf polynomial (degree 5 after 1 + r) took 5.8 and the same steps one
// vector at a time 2.4. The pass can also take each channel's mean of the
// output (the global average pool of a squeeze-and-excitation block), so
// that the pool does not read the output again.
//
//===----------------------------------------------------------------------===//

#include "OneDNN.h"

#include <algorithm>
#include <cstring>
#include <immintrin.h>
#include <omp.h>

namespace mlc::rt::onednn {
namespace {

// x is clamped to where exp(-x) and 2^n stay normal floats: above the
// bound the result is x to float precision, below it within 5e-37 of the
// exact one (which is smaller still).
constexpr float kLowest = -88.3f, kHighest = 87.3f;
constexpr float kLog2E = 1.44269504088896341f;
// ln 2 in two parts: n ln2High is exact for every n here.
constexpr float kLn2High = 0.693359375f, kLn2Low = -2.12194440e-4f;
// exp(-s) ~ sum kQ[i] s^i on [-ln 2 / 2, ln 2 / 2] (Remez, relative error).
constexpr float kQ[7] = {1.0f,           -1.0f,           4.9999991059e-01f,
                         -1.6666419804e-01f, 4.1668225080e-02f,
                         -8.3748158067e-03f, 1.3836845756e-03f};
// Adding and subtracting 1.5 * 2^23 rounds to the nearest integer (plain
// arithmetic, which vectorizes; roundf is a call per element).
constexpr float kRound = 12582912.0f;

inline float swish(float x) {
  float t = std::min(std::max(x, kLowest), kHighest);
  float n = (t * -kLog2E + kRound) - kRound;
  float s = t + n * kLn2High + n * kLn2Low;
  float p = kQ[6];
  for (int i = 5; i >= 0; --i)
    p = p * s + kQ[i];
  int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  // A NaN x stays NaN through the division.
  return x / (1.0f + p * scale);
}

__attribute__((target_clones("avx2", "default"))) void
swishRangePortable(float *x, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    x[i] = swish(x[i]);
}

// The same steps on `Vectors` x 16 floats. Each step runs on every vector
// before the next step: the steps of one vector form a chain of about 17
// dependent instructions, and interleaving several chains keeps both FMA
// units busy where out-of-order execution alone did not. The reciprocal's
// Newton step is y + y (1 - d y), so that x * 1 gives x at infinity; a NaN x
// stays NaN through the product. With Sum, each result vector is also added
// into sums + 16 j, j counting on from `lane` modulo `lanes` (a
// channels-last row's vectors: the channels' running sums).
// GCC 12 warns of the intrinsics' own undefined pass-through vectors where
// they are inlined (GCC bug 105593, fixed in 13).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
template <int Vectors, bool Sum = false>
__attribute__((target("avx512f"), always_inline)) inline void
swish512(float *x, float *sums = nullptr, int64_t lane = 0,
         int64_t lanes = 1) {
  const __m512 one = _mm512_set1_ps(1.0f);
  __m512 v[Vectors], n[Vectors], s[Vectors], p[Vectors];
  for (int u = 0; u < Vectors; ++u) {
    v[u] = _mm512_loadu_ps(x + 16 * u);
    s[u] = _mm512_min_ps(_mm512_max_ps(v[u], _mm512_set1_ps(kLowest)),
                         _mm512_set1_ps(kHighest));
  }
  for (int u = 0; u < Vectors; ++u)
    n[u] = _mm512_roundscale_ps(_mm512_mul_ps(s[u], _mm512_set1_ps(-kLog2E)),
                                _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  for (int u = 0; u < Vectors; ++u) {
    s[u] = _mm512_fmadd_ps(n[u], _mm512_set1_ps(kLn2High), s[u]);
    s[u] = _mm512_fmadd_ps(n[u], _mm512_set1_ps(kLn2Low), s[u]);
    p[u] = _mm512_set1_ps(kQ[6]);
  }
  for (int i = 5; i >= 0; --i)
    for (int u = 0; u < Vectors; ++u)
      p[u] = _mm512_fmadd_ps(p[u], s[u], _mm512_set1_ps(kQ[i]));
  for (int u = 0; u < Vectors; ++u)
    p[u] = _mm512_add_ps(_mm512_scalef_ps(p[u], n[u]), one);
  for (int u = 0; u < Vectors; ++u) {
    __m512 y = _mm512_rcp14_ps(p[u]);
    y = _mm512_fmadd_ps(y, _mm512_fnmadd_ps(p[u], y, one), y);
    y = _mm512_mul_ps(v[u], y);
    _mm512_storeu_ps(x + 16 * u, y);
    if constexpr (Sum) {
      float *sum = sums + 16 * lane;
      _mm512_storeu_ps(sum, _mm512_add_ps(_mm512_loadu_ps(sum), y));
      if (++lane == lanes)
        lane = 0;
    }
  }
}

__attribute__((target("avx512f"))) void swishRange512(float *x, int64_t n) {
  constexpr int kVectors = 8;
  int64_t i = 0;
  for (; i + 16 * kVectors <= n; i += 16 * kVectors)
    swish512<kVectors>(x + i);
  for (; i + 16 <= n; i += 16)
    swish512<1>(x + i);
  // The last few through a vector too: every element by the same steps.
  if (i < n) {
    alignas(64) float tail[16] = {};
    std::memcpy(tail, x + i, (n - i) * sizeof(float));
    swish512<1>(tail);
    std::memcpy(x + i, tail, (n - i) * sizeof(float));
  }
}

// Rows of a multiple of 16 channels: no tail.
__attribute__((target("avx512f"))) void
swishSumRows512(float *x, int64_t rows, int64_t channels, float *sums) {
  constexpr int kVectors = 8;
  int64_t lanes = channels / 16, n = rows * channels, lane = 0, i = 0;
  for (; i + 16 * kVectors <= n; i += 16 * kVectors) {
    swish512<kVectors, true>(x + i, sums, lane, lanes);
    lane = (lane + kVectors) % lanes;
  }
  for (; i < n; i += 16) {
    swish512<1, true>(x + i, sums, lane, lanes);
    lane = (lane + 1) % lanes;
  }
}
#pragma GCC diagnostic pop

__attribute__((target_clones("avx512f", "avx2", "default"))) void
addRows(const float *__restrict x, int64_t rows, int64_t channels,
        float *__restrict sums) {
  for (int64_t r = 0; r < rows; ++r, x += channels)
    for (int64_t c = 0; c < channels; ++c)
      sums[c] += x[c];
}

void swishRange(float *x, int64_t n) {
  if (oneDNNHasAVX512())
    swishRange512(x, n);
  else
    swishRangePortable(x, n);
}

/// Swish over `rows` channels-last rows of `channels` floats at x, adding
/// each result into `sums` (one per channel): as the results are made where
/// the rows are whole vectors (AVX-512), else from the rows just written
/// (a block of them stays in the cache).
void swishSumRows(float *x, int64_t rows, int64_t channels, float *sums) {
  if (oneDNNHasAVX512() && channels % 16 == 0) {
    swishSumRows512(x, rows, channels, sums);
    return;
  }
  swishRange(x, rows * channels);
  addRows(x, rows, channels, sums);
}

/// The kernel that computes the op, then swish over its output in place;
/// with `pool`, also the mean of each image's channel into a second output
/// ([N, C, 1...]: the global average pool a squeeze-and-excitation block
/// takes of it) from the values as they are written, rather than from
/// another pass over the output.
class SwishAfter : public Kernel {
public:
  SwishAfter(KernelPtr inner, const KernelArgs &args, bool pool)
      : inner(std::move(inner)), threads(std::max(args.threads, 1)),
        pool(pool) {
    if (!pool)
      return;
    const TensorRef &y = *args.outputs[0];
    int64_t images = y.dim(0), channels = y.dim(1);
    sums = allocateZeroed(threads * (images + 1) * channels * sizeof(float),
                          "a swish's channel sums");
  }

  void run(const KernelArgs &args) override {
    inner->run(args);
    float *y = args.outputs[0]->as<float>();
    int64_t count = args.outputs[0]->count();
    // Blocks of 16K floats (64 KB) per thread turn.
    constexpr int64_t kBlock = 1 << 14;
    if (!pool) {
      forRanges(threads, (count + kBlock - 1) / kBlock,
                [&](int, int64_t begin, int64_t end) {
                  for (int64_t b = begin; b < end; ++b)
                    swishRange(y + b * kBlock,
                               std::min(kBlock, count - b * kBlock));
                });
      return;
    }
    // Whole rows (positions) of one image per block. Each thread sums a
    // block's rows apart, then adds them to its image's sums: runs of a few
    // hundred additions, not one of every position.
    int64_t images = args.outputs[0]->dim(0),
            channels = args.outputs[0]->dim(1),
            positions = count / (images * channels);
    int64_t rows = std::max<int64_t>(1, kBlock / channels),
            perImage = (positions + rows - 1) / rows;
    float *all = static_cast<float *>(sums.get());
    std::fill(all, all + threads * (images + 1) * channels, 0.0f);
    forRanges(threads, images * perImage,
              [&](int t, int64_t begin, int64_t end) {
                float *mine = all + t * (images + 1) * channels;
                float *block = mine + images * channels;
                for (int64_t b = begin; b < end; ++b) {
                  int64_t image = b / perImage, first = b % perImage * rows;
                  std::fill(block, block + channels, 0.0f);
                  swishSumRows(y + (image * positions + first) * channels,
                               std::min(rows, positions - first), channels,
                               block);
                  float *sum = mine + image * channels;
                  for (int64_t c = 0; c < channels; ++c)
                    sum[c] += block[c];
                }
              });
    float *mean = args.outputs[1]->as<float>();
    for (int64_t i = 0; i < images * channels; ++i) {
      float total = 0;
      for (int t = 0; t < threads; ++t)
        total += all[t * (images + 1) * channels + i];
      mean[i] = total / static_cast<float>(positions);
    }
  }
  std::string implementation() const override {
    return inner->implementation() +
           (pool ? " + mlc:swish + global average pool" : " + mlc:swish");
  }
  bool rebinds() const override { return inner->rebinds(); }

private:
  KernelPtr inner;
  int threads;
  bool pool;
  /// Per thread: each image's channel sums, then a block's.
  AlignedBuffer sums;
};

} // namespace

KernelPtr withSwish(KernelPtr kernel, const KernelArgs &args, bool pool) {
  if (!kernel)
    return kernel;
  return std::make_unique<SwishAfter>(std::move(kernel), args, pool);
}

} // namespace mlc::rt::onednn
