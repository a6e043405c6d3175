//===- Swish.cpp - x * sigmoid(x) over a kernel's output ------------------===//
//
// oneDNN 2.6 computes swish (SiLU, efficientnet's activation) at about 16
// cycles per 16 floats, whether as a convolution's post-op or as its own
// eltwise primitive: in efficientnet_b0 that was a quarter of the
// prediction. This loop computes exp with a degree-5 polynomial on the
// reduced argument (Cephes' expf, within 2 ulp) and one division, which the
// compiler vectorizes for the machine's widest vectors (target_clones picks
// the AVX-512, AVX2 or baseline copy at load time). With AVX-512 the
// division, the loop's bottleneck, is a reciprocal estimate refined by one
// Newton step instead (within 1.7e-7 of the exact value, as the division's
// 1.2e-7), and eight vectors go through each step together: 5.8 against
// 2.4 floats per ns on one core.
//
//===----------------------------------------------------------------------===//

#include "OneDNN.h"

#include <algorithm>
#include <cstring>
#include <immintrin.h>

namespace mlc::rt::onednn {
namespace {

// exp(t) = 2^n exp(r), n = round(t log2 e), r = t - n ln 2 (ln 2 in two
// parts), exp(r) = 1 + r + r^2 P(r).
constexpr float kMinExponent = -87.3f, kMaxExponent = 88.3f;
constexpr float kLog2E = 1.44269504088896341f;
constexpr float kLn2High = 0.693359375f, kLn2Low = -2.12194440e-4f;
constexpr float kP[6] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                         4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};
// Adding and subtracting 1.5 * 2^23 rounds to the nearest integer (plain
// arithmetic, which vectorizes; roundf is a call per element).
constexpr float kRound = 12582912.0f;

inline float swish(float x) {
  // exp(-x), clamped where it over- or underflows f32 (x / inf and x / 1
  // give the limits; a NaN stays NaN through the division by x).
  float t = std::min(std::max(-x, kMinExponent), kMaxExponent);
  float n = (t * kLog2E + kRound) - kRound;
  float r = t - n * kLn2High - n * kLn2Low;
  float p = kP[0];
  for (int i = 1; i < 6; ++i)
    p = p * r + kP[i];
  float e = p * r * r + r + 1.0f;
  int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return x / (1.0f + e * scale);
}

__attribute__((target_clones("avx2", "default"))) void
swishRangePortable(float *x, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    x[i] = swish(x[i]);
}

// The same steps on `Vectors` x 16 floats, x * (1 / (1 + exp(-x))), with
// 2^n applied by scalef and the reciprocal estimated and refined. Each step
// runs on every vector before the next step: the steps of one vector form a
// chain of about 20 dependent instructions, and interleaving several chains
// keeps both FMA units busy where out-of-order execution alone did not (16
// floats in 12.7 cycles for one vector at a time, 9.3 for 8; Zen 5). x's
// NaN stays NaN through the product.
// GCC 12 warns of the intrinsics' own undefined pass-through vectors where
// they are inlined (GCC bug 105593, fixed in 13).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
template <int Vectors>
__attribute__((target("avx512f"), always_inline)) inline void
swish512(float *x) {
  const __m512 one = _mm512_set1_ps(1.0f), two = _mm512_set1_ps(2.0f);
  __m512 v[Vectors], t[Vectors], n[Vectors], r[Vectors], p[Vectors];
  for (int u = 0; u < Vectors; ++u) {
    v[u] = _mm512_loadu_ps(x + 16 * u);
    t[u] = _mm512_min_ps(
        _mm512_max_ps(_mm512_sub_ps(_mm512_setzero_ps(), v[u]),
                      _mm512_set1_ps(kMinExponent)),
        _mm512_set1_ps(kMaxExponent));
  }
  for (int u = 0; u < Vectors; ++u)
    n[u] = _mm512_roundscale_ps(_mm512_mul_ps(t[u], _mm512_set1_ps(kLog2E)),
                                _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  for (int u = 0; u < Vectors; ++u) {
    r[u] = _mm512_fnmadd_ps(n[u], _mm512_set1_ps(kLn2High), t[u]);
    r[u] = _mm512_fnmadd_ps(n[u], _mm512_set1_ps(kLn2Low), r[u]);
    p[u] = _mm512_set1_ps(kP[0]);
  }
  for (int j = 1; j < 6; ++j)
    for (int u = 0; u < Vectors; ++u)
      p[u] = _mm512_fmadd_ps(p[u], r[u], _mm512_set1_ps(kP[j]));
  for (int u = 0; u < Vectors; ++u) {
    // 1 + exp(r) 2^n, exp(r) = 1 + r + r^2 P(r).
    __m512 e = _mm512_fmadd_ps(_mm512_mul_ps(p[u], r[u]), r[u],
                               _mm512_add_ps(r[u], one));
    p[u] = _mm512_add_ps(_mm512_scalef_ps(e, n[u]), one);
  }
  for (int u = 0; u < Vectors; ++u) {
    __m512 y = _mm512_rcp14_ps(p[u]);
    y = _mm512_mul_ps(y, _mm512_fnmadd_ps(p[u], y, two));
    _mm512_storeu_ps(x + 16 * u, _mm512_mul_ps(v[u], y));
  }
}

__attribute__((target("avx512f"))) void swishRange512(float *x, int64_t n) {
  constexpr int kVectors = 8;
  int64_t i = 0;
  for (; i + 16 * kVectors <= n; i += 16 * kVectors)
    swish512<kVectors>(x + i);
  for (; i + 16 <= n; i += 16)
    swish512<1>(x + i);
  swishRangePortable(x + i, n - i);
}
#pragma GCC diagnostic pop

void swishRange(float *x, int64_t n) {
  static const bool avx512 = __builtin_cpu_supports("avx512f");
  if (avx512)
    swishRange512(x, n);
  else
    swishRangePortable(x, n);
}

/// The kernel that computes the op, then swish over its output in place.
class SwishAfter : public Kernel {
public:
  SwishAfter(KernelPtr inner, const KernelArgs &args)
      : inner(std::move(inner)), threads(std::max(args.threads, 1)) {}

  void run(const KernelArgs &args) override {
    inner->run(args);
    float *y = args.outputs[0]->as<float>();
    int64_t count = args.outputs[0]->count();
    // Blocks of 16K floats (64 KB) per thread turn.
    constexpr int64_t kBlock = 1 << 14;
    int64_t blocks = (count + kBlock - 1) / kBlock;
#pragma omp parallel for num_threads(blocks > 1 ? threads : 1) schedule(static)
    for (int64_t b = 0; b < blocks; ++b)
      swishRange(y + b * kBlock, std::min(kBlock, count - b * kBlock));
  }
  std::string implementation() const override {
    return inner->implementation() + " + mlc:swish";
  }
  bool rebinds() const override { return inner->rebinds(); }

private:
  KernelPtr inner;
  int threads;
};

} // namespace

KernelPtr withSwish(KernelPtr kernel, const KernelArgs &args) {
  if (!kernel)
    return kernel;
  return std::make_unique<SwishAfter>(std::move(kernel), args);
}

} // namespace mlc::rt::onednn
