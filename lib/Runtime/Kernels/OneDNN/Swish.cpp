//===- Swish.cpp - x * sigmoid(x) over a kernel's output ------------------===//
//
// oneDNN 2.6 computes swish (SiLU, efficientnet's activation) at about 16
// cycles per 16 floats, whether as a convolution's post-op or as its own
// eltwise primitive: in efficientnet_b0 that was a quarter of the
// prediction. This loop computes exp with a degree-5 polynomial on the
// reduced argument (Cephes' expf, within 2 ulp) and one division, which the
// compiler vectorizes for the machine's widest vectors (target_clones picks
// the AVX-512, AVX2 or baseline copy at load time).
//
//===----------------------------------------------------------------------===//

#include "OneDNN.h"

#include <algorithm>
#include <cstring>

namespace mlc::rt::onednn {
namespace {

inline float swish(float x) {
  // exp(-x), clamped where it over- or underflows f32 (x / inf and x / 1
  // give the limits; a NaN stays NaN through the division by x).
  float t = std::min(std::max(-x, -87.3f), 88.3f);
  // Rounded to the nearest integer by adding and subtracting 1.5 * 2^23
  // (plain arithmetic, which vectorizes; roundf is a call per element).
  constexpr float kRound = 12582912.0f;
  float n = (t * 1.44269504088896341f + kRound) - kRound;
  float r = t - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  float e = p * r * r + r + 1.0f;
  int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return x / (1.0f + e * scale);
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void
swishRange(float *x, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    x[i] = swish(x[i]);
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
