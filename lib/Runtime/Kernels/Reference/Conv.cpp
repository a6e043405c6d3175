//===- Conv.cpp - Conv, ConvTranspose -------------------------------------===//

#include "Reference.h"

#include <algorithm>

namespace mlc::rt::ref {

namespace {
std::vector<int64_t> spatialDims(const TensorRef &t) {
  return std::vector<int64_t>(t.dims.begin() + 2, t.dims.end());
}

format::Activation activationOf(const KernelArgs &args, const format::Activation *a) {
  format::Activation act = a ? *a : format::Activation();
  if (act.kind() > format::ActivationKind::MAX)
    args.fail("unknown activation");
  return act;
}

void checkConvOperands(const KernelArgs &args) {
  const TensorRef &x = *args.inputs[0], &w = *args.inputs[1];
  checkType(args, x, ElementType::f32, "input");
  checkType(args, w, ElementType::f32, "weight");
  checkType(args, *args.outputs[0], ElementType::f32, "output");
  if (x.rank() < 3 || x.rank() > 5)
    args.fail("input must have rank 3 to 5");
  checkRank(args, w, x.rank(), "weight");
}
} // namespace

KernelPtr makeConv(const KernelArgs &args) {
  const auto *p = args.op->params_as_ConvParams();
  checkOperands(args, 2, 4, 1);
  checkConvOperands(args);
  const TensorRef &x = *args.inputs[0], &wt = *args.inputs[1], &y = *args.outputs[0];
  int64_t group = p->group();
  int64_t n = x.dim(0), c = x.dim(1), m = wt.dim(0);
  if (group < 1 || c % group != 0 || m % group != 0)
    args.fail("group " + std::to_string(group) + " must divide the " +
              std::to_string(c) + " input and " + std::to_string(m) +
              " output channels");
  if (wt.dim(1) != c / group)
    args.fail("weight has " + std::to_string(wt.dim(1)) +
              " channels per group, input has " + std::to_string(c / group));
  Window w = makeWindow(args, spatialDims(x), spatialDims(wt), p->strides(),
                        p->dilations(), p->pads(), p->auto_pad());
  std::vector<int64_t> out = {n, m};
  for (size_t i = 3 - (x.rank() - 2); i < 3; ++i) {
    int64_t span = w.in[i] + w.pb[i] + w.pe[i] - ((w.k[i] - 1) * w.d[i] + 1);
    if (span < 0)
      args.fail("the kernel is larger than the padded input");
    w.out[i] = span / w.s[i] + 1;
    out.push_back(w.out[i]);
  }
  checkDims(args, y, out, "output");
  if (const TensorRef *b = args.input(2)) {
    checkType(args, *b, ElementType::f32, "bias");
    checkDims(args, *b, {m}, "bias");
  }
  if (const TensorRef *r = args.input(3)) {
    checkType(args, *r, ElementType::f32, "residual");
    checkDims(args, *r, out, "residual");
  }
  format::Activation act = activationOf(args, p->activation());
  int64_t cg = c / group, mg = m / group;
  return makeKernel([=](const KernelArgs &args) {
    const float *px = args.inputs[0]->as<float>(), *pw = args.inputs[1]->as<float>();
    const float *bias = args.input(2) ? args.input(2)->as<float>() : nullptr;
    // The residual may share the output's buffer: each output element reads
    // its residual just before it is written.
    const float *res = args.input(3) ? args.input(3)->as<float>() : nullptr;
    float *py = args.outputs[0]->as<float>();
    int64_t inSize = w.inSize(), kSize = w.kSize();
    int64_t yi = 0;
    for (int64_t b = 0; b < n; ++b)
      for (int64_t oc = 0; oc < m; ++oc) {
        const float *xg = px + (b * c + (oc / mg) * cg) * inSize;
        const float *wm = pw + oc * cg * kSize;
        for (int64_t o0 = 0; o0 < w.out[0]; ++o0) {
          int64_t s0 = o0 * w.s[0] - w.pb[0], lo0, hi0;
          tapRange(s0, w.in[0], w.k[0], w.d[0], lo0, hi0);
          for (int64_t o1 = 0; o1 < w.out[1]; ++o1) {
            int64_t s1 = o1 * w.s[1] - w.pb[1], lo1, hi1;
            tapRange(s1, w.in[1], w.k[1], w.d[1], lo1, hi1);
            for (int64_t o2 = 0; o2 < w.out[2]; ++o2, ++yi) {
              int64_t s2 = o2 * w.s[2] - w.pb[2], lo2, hi2;
              tapRange(s2, w.in[2], w.k[2], w.d[2], lo2, hi2);
              float sum = bias ? bias[oc] : 0.0f;
              for (int64_t ic = 0; ic < cg; ++ic) {
                const float *xc = xg + ic * inSize;
                const float *wc = wm + ic * kSize;
                for (int64_t k0 = lo0; k0 < hi0; ++k0)
                  for (int64_t k1 = lo1; k1 < hi1; ++k1) {
                    const float *xr = xc + ((s0 + k0 * w.d[0]) * w.in[1] +
                                            s1 + k1 * w.d[1]) * w.in[2] + s2;
                    const float *wr = wc + (k0 * w.k[1] + k1) * w.k[2];
                    for (int64_t k2 = lo2; k2 < hi2; ++k2)
                      sum += xr[k2 * w.d[2]] * wr[k2];
                  }
              }
              if (res)
                sum += res[yi];
              py[yi] = applyActivation(act, sum);
            }
          }
        }
      }
  });
}

KernelPtr makeConvTranspose(const KernelArgs &args) {
  const auto *p = args.op->params_as_ConvTransposeParams();
  checkOperands(args, 2, 3, 1);
  checkConvOperands(args);
  const TensorRef &x = *args.inputs[0], &wt = *args.inputs[1], &y = *args.outputs[0];
  int64_t group = p->group();
  int64_t n = x.dim(0), c = x.dim(1);
  if (group < 1 || c % group != 0)
    args.fail("group " + std::to_string(group) + " must divide the " +
              std::to_string(c) + " input channels");
  if (wt.dim(0) != c)
    args.fail("weight has " + std::to_string(wt.dim(0)) +
              " input channels, input has " + std::to_string(c));
  int64_t mg = wt.dim(1), m = mg * group, cg = c / group;
  // The pads are explicit here (the compiler resolved auto_pad).
  Window w = makeWindow(args, spatialDims(x), spatialDims(wt), p->strides(),
                        p->dilations(), p->pads(), format::AutoPad::notset);
  std::vector<int64_t> outPad = paramArray(args, p->output_padding(), "output_padding");
  size_t spatial = x.rank() - 2;
  if (!outPad.empty() && outPad.size() != spatial)
    args.fail("output_padding needs one value per spatial dim");
  std::vector<int64_t> out = {n, m};
  for (size_t i = 0; i < spatial; ++i) {
    size_t j = 3 - spatial + i;
    int64_t op = outPad.empty() ? 0 : outPad[i];
    if (op < 0)
      args.fail("output_padding must be >= 0");
    w.out[j] = w.s[j] * (w.in[j] - 1) + op + (w.k[j] - 1) * w.d[j] + 1 -
               w.pb[j] - w.pe[j];
    if (w.out[j] < 0)
      args.fail("negative output size");
    out.push_back(w.out[j]);
  }
  checkDims(args, y, out, "output");
  if (const TensorRef *b = args.input(2)) {
    checkType(args, *b, ElementType::f32, "bias");
    checkDims(args, *b, {m}, "bias");
  }
  format::Activation act = activationOf(args, p->activation());
  return makeKernel([=](const KernelArgs &args) {
    const float *px = args.inputs[0]->as<float>(), *pw = args.inputs[1]->as<float>();
    const float *bias = args.input(2) ? args.input(2)->as<float>() : nullptr;
    float *py = args.outputs[0]->as<float>();
    int64_t inSize = w.inSize(), outSize = w.outSize(), kSize = w.kSize();
    for (int64_t b = 0; b < n; ++b)
      for (int64_t oc = 0; oc < m; ++oc)
        std::fill(py + (b * m + oc) * outSize, py + (b * m + oc + 1) * outSize,
                  bias ? bias[oc] : 0.0f);
    // Scatter: every input element adds its kernel-weighted copy.
    for (int64_t b = 0; b < n; ++b)
      for (int64_t ic = 0; ic < c; ++ic) {
        int64_t g = ic / cg;
        const float *xc = px + (b * c + ic) * inSize;
        for (int64_t om = 0; om < mg; ++om) {
          int64_t oc = g * mg + om;
          const float *wk = pw + (ic * mg + om) * kSize;
          float *yc = py + (b * m + oc) * outSize;
          for (int64_t i0 = 0; i0 < w.in[0]; ++i0)
            for (int64_t i1 = 0; i1 < w.in[1]; ++i1)
              for (int64_t i2 = 0; i2 < w.in[2]; ++i2) {
                float v = xc[(i0 * w.in[1] + i1) * w.in[2] + i2];
                int64_t s0 = i0 * w.s[0] - w.pb[0], s1 = i1 * w.s[1] - w.pb[1],
                        s2 = i2 * w.s[2] - w.pb[2];
                int64_t lo0, hi0, lo1, hi1, lo2, hi2;
                tapRange(s0, w.out[0], w.k[0], w.d[0], lo0, hi0);
                tapRange(s1, w.out[1], w.k[1], w.d[1], lo1, hi1);
                tapRange(s2, w.out[2], w.k[2], w.d[2], lo2, hi2);
                for (int64_t k0 = lo0; k0 < hi0; ++k0)
                  for (int64_t k1 = lo1; k1 < hi1; ++k1)
                    for (int64_t k2 = lo2; k2 < hi2; ++k2)
                      yc[((s0 + k0 * w.d[0]) * w.out[1] + s1 + k1 * w.d[1]) *
                             w.out[2] + s2 + k2 * w.d[2]] +=
                          v * wk[(k0 * w.k[1] + k1) * w.k[2] + k2];
              }
        }
      }
    if (act.kind() != format::ActivationKind::none)
      for (int64_t i = 0; i < n * m * outSize; ++i)
        py[i] = applyActivation(act, py[i]);
  });
}

} // namespace mlc::rt::ref
