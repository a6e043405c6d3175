//===- Norm.cpp - BatchNorm (inference), InstanceNorm ---------------------===//

#include "Reference.h"

#include <cmath>

namespace mlc::rt::ref {

namespace {
// x is [N, C, ...] f32 and each of inputs [first, last) is f32 of dims [C].
void checkChannelOperands(const KernelArgs &args, size_t first, size_t last) {
  const TensorRef &x = *args.inputs[0], &y = *args.outputs[0];
  checkType(args, x, ElementType::f32, "input");
  checkType(args, y, ElementType::f32, "output");
  if (x.rank() < 2)
    args.fail("input must have rank >= 2");
  checkDims(args, y, x.dims, "output");
  static const char *const names[] = {"input", "scale", "bias", "mean", "variance"};
  for (size_t i = first; i < last; ++i) {
    checkType(args, *args.inputs[i], ElementType::f32, names[i]);
    checkDims(args, *args.inputs[i], {x.dim(1)}, names[i]);
  }
}

int64_t spatialSize(const TensorRef &x) {
  int64_t n = 1;
  for (size_t i = 2; i < x.rank(); ++i)
    n *= x.dim(i);
  return n;
}
} // namespace

KernelPtr makeBatchNorm(const KernelArgs &args) {
  const auto *p = args.op->params_as_BatchNormParams();
  checkOperands(args, 5, 5, 1);
  checkChannelOperands(args, 1, 5);
  float eps = p->epsilon();
  format::Activation act = p->activation() ? *p->activation() : format::Activation();
  return makeKernel([eps, act](const KernelArgs &args) {
    const TensorRef &x = *args.inputs[0];
    const float *scale = args.inputs[1]->as<float>(), *bias = args.inputs[2]->as<float>(),
                *mean = args.inputs[3]->as<float>(), *var = args.inputs[4]->as<float>();
    const float *px = x.as<float>();
    float *py = args.outputs[0]->as<float>();
    int64_t n = x.dim(0), c = x.dim(1), s = spatialSize(x);
    for (int64_t ch = 0; ch < c; ++ch) {
      // y = x * a + b per channel.
      float a = scale[ch] / std::sqrt(var[ch] + eps);
      float b = bias[ch] - mean[ch] * a;
      for (int64_t i = 0; i < n; ++i) {
        int64_t base = (i * c + ch) * s;
        for (int64_t j = 0; j < s; ++j)
          py[base + j] = applyActivation(act, px[base + j] * a + b);
      }
    }
  });
}

KernelPtr makeInstanceNorm(const KernelArgs &args) {
  const auto *p = args.op->params_as_InstanceNormParams();
  checkOperands(args, 3, 3, 1);
  checkChannelOperands(args, 1, 3);
  float eps = p->epsilon();
  return makeKernel([eps](const KernelArgs &args) {
    const TensorRef &x = *args.inputs[0];
    const float *scale = args.inputs[1]->as<float>(), *bias = args.inputs[2]->as<float>();
    const float *px = x.as<float>();
    float *py = args.outputs[0]->as<float>();
    int64_t n = x.dim(0), c = x.dim(1), s = spatialSize(x);
    for (int64_t i = 0; i < n * c; ++i) {
      const float *xs = px + i * s;
      double sum = 0, sq = 0;
      for (int64_t j = 0; j < s; ++j)
        sum += xs[j];
      double mean = s ? sum / s : 0;
      for (int64_t j = 0; j < s; ++j)
        sq += (xs[j] - mean) * (xs[j] - mean);
      double var = s ? sq / s : 0;
      float a = static_cast<float>(scale[i % c] / std::sqrt(var + eps));
      float b = static_cast<float>(bias[i % c] - mean * a);
      for (int64_t j = 0; j < s; ++j)
        py[i * s + j] = xs[j] * a + b;
    }
  });
}

} // namespace mlc::rt::ref
