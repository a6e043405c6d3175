//===- Pool.cpp - Pool (max, average), GlobalPool -------------------------===//

#include "Reference.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mlc::rt::ref {

KernelPtr makePool(const KernelArgs &args) {
  const auto *p = args.op->params_as_PoolParams();
  checkOperands(args, 1, 1, 1);
  const TensorRef &x = *args.inputs[0], &y = *args.outputs[0];
  checkType(args, x, ElementType::f32, "input");
  checkType(args, y, ElementType::f32, "output");
  if (x.rank() < 3 || x.rank() > 5)
    args.fail("input must have rank 3 to 5");
  if (p->kind() > format::PoolKind::MAX)
    args.fail("unknown pool kind");
  size_t spatial = x.rank() - 2;
  std::vector<int64_t> kernel = paramArray(args, p->kernel(), "kernel");
  if (kernel.size() != spatial)
    args.fail("kernel needs one value per spatial dim");
  Window w = makeWindow(args, std::vector<int64_t>(x.dims.begin() + 2, x.dims.end()),
                        kernel, p->strides(), p->dilations(), p->pads(), p->auto_pad());
  bool ceilMode = p->ceil_mode();
  std::vector<int64_t> out = {x.dim(0), x.dim(1)};
  for (size_t j = 3 - spatial; j < 3; ++j) {
    int64_t span = w.in[j] + w.pb[j] + w.pe[j] - ((w.k[j] - 1) * w.d[j] + 1);
    if (span < 0)
      args.fail("the kernel is larger than the padded input");
    w.out[j] = (ceilMode ? (span + w.s[j] - 1) / w.s[j] : span / w.s[j]) + 1;
    // A last window that starts in the end padding is dropped (ONNX).
    if (ceilMode && (w.out[j] - 1) * w.s[j] >= w.in[j] + w.pb[j])
      --w.out[j];
    out.push_back(w.out[j]);
  }
  checkDims(args, y, out, "output");
  bool isMax = p->kind() == format::PoolKind::max;
  bool includePad = p->count_include_pad();
  return makeKernel([=](const KernelArgs &args) {
    const TensorRef &x = *args.inputs[0];
    const float *px = x.as<float>();
    float *py = args.outputs[0]->as<float>();
    int64_t planes = x.dim(0) * x.dim(1), inSize = w.inSize();
    int64_t yi = 0;
    for (int64_t pl = 0; pl < planes; ++pl) {
      const float *xp = px + pl * inSize;
      for (int64_t o0 = 0; o0 < w.out[0]; ++o0)
        for (int64_t o1 = 0; o1 < w.out[1]; ++o1)
          for (int64_t o2 = 0; o2 < w.out[2]; ++o2, ++yi) {
            int64_t s[3] = {o0 * w.s[0] - w.pb[0], o1 * w.s[1] - w.pb[1],
                            o2 * w.s[2] - w.pb[2]};
            int64_t lo[3], hi[3];
            int64_t count = 1;
            for (int j = 0; j < 3; ++j) {
              tapRange(s[j], w.in[j], w.k[j], w.d[j], lo[j], hi[j]);
              if (includePad) {
                // Taps inside the padded input count, past the end pad not.
                int64_t plo, phi;
                tapRange(s[j] + w.pb[j], w.in[j] + w.pb[j] + w.pe[j], w.k[j],
                         w.d[j], plo, phi);
                count *= phi - plo;
              } else {
                count *= hi[j] - lo[j];
              }
            }
            float acc = isMax ? -std::numeric_limits<float>::infinity() : 0.0f;
            for (int64_t k0 = lo[0]; k0 < hi[0]; ++k0)
              for (int64_t k1 = lo[1]; k1 < hi[1]; ++k1) {
                const float *xr = xp + ((s[0] + k0 * w.d[0]) * w.in[1] + s[1] +
                                        k1 * w.d[1]) * w.in[2] + s[2];
                for (int64_t k2 = lo[2]; k2 < hi[2]; ++k2) {
                  float v = xr[k2 * w.d[2]];
                  acc = isMax ? (v > acc || std::isnan(v) ? v : acc) : acc + v;
                }
              }
            py[yi] = isMax ? acc : (count > 0 ? acc / count : 0.0f);
          }
    }
  });
}

KernelPtr makeGlobalPool(const KernelArgs &args) {
  const auto *p = args.op->params_as_GlobalPoolParams();
  checkOperands(args, 1, 1, 1);
  const TensorRef &x = *args.inputs[0], &y = *args.outputs[0];
  checkType(args, x, ElementType::f32, "input");
  checkType(args, y, ElementType::f32, "output");
  if (x.rank() < 2)
    args.fail("input must have rank >= 2");
  std::vector<int64_t> out(x.rank(), 1);
  out[0] = x.dim(0);
  out[1] = x.dim(1);
  checkDims(args, y, out, "output");
  bool isMax = p->kind() == format::PoolKind::max;
  return makeKernel([isMax](const KernelArgs &args) {
    const TensorRef &x = *args.inputs[0];
    int64_t planes = x.dim(0) * x.dim(1), size = planes ? x.count() / planes : 0;
    const float *px = x.as<float>();
    float *py = args.outputs[0]->as<float>();
    for (int64_t pl = 0; pl < planes; ++pl) {
      const float *xp = px + pl * size;
      float acc = isMax ? -std::numeric_limits<float>::infinity() : 0.0f;
      for (int64_t i = 0; i < size; ++i)
        acc = isMax ? (xp[i] > acc || std::isnan(xp[i]) ? xp[i] : acc) : acc + xp[i];
      py[pl] = isMax || size == 0 ? acc : acc / size;
    }
  });
}

} // namespace mlc::rt::ref
