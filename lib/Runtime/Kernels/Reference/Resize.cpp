//===- Resize.cpp - Resize (nearest, linear, cubic) -----------------------===//
//
// Separable: for every dim, each output index reads a few input indices
// with weights (taps), computed once in the factory as ONNX's reference
// does (coordinates in double, edge-clamped neighbours). An output element
// is the sum over the product of its dims' taps. Unchanged dims get one tap
// of weight 1, so linear and cubic are N-linear over the dims that change.
//
//===----------------------------------------------------------------------===//

#include "Reference.h"

#include <cmath>

namespace mlc::rt::ref {

namespace {

struct Taps {
  // Per output index: taps [first[o], first[o + 1]) of index/weight, or
  // `outside` (tf_crop_and_resize outside the input: the extrapolation).
  std::vector<int64_t> first, index;
  std::vector<double> weight;
  std::vector<bool> outside;
};

using CT = format::CoordinateTransform;

double originalCoordinate(CT mode, double x, double scale, int64_t in, int64_t out,
                          double roiStart, double roiEnd) {
  switch (mode) {
  case CT::half_pixel:
    return (x + 0.5) / scale - 0.5;
  case CT::half_pixel_symmetric: {
    double adjustment = out / (scale * in);
    double center = in / 2.0;
    return center * (1 - adjustment) + (x + 0.5) / scale - 0.5;
  }
  case CT::pytorch_half_pixel:
    return out > 1 ? (x + 0.5) / scale - 0.5 : 0;
  case CT::align_corners: {
    // ONNX measures the resized length as in * scale, which is the output
    // size unless scales were given that do not divide it (0.6 of 4: 2.4).
    double resized = in * scale;
    return out == 1 || resized == 1 ? 0 : x * (in - 1) / (resized - 1);
  }
  case CT::asymmetric:
    return x / scale;
  case CT::tf_crop_and_resize:
    return out > 1 ? roiStart * (in - 1) + x * (roiEnd - roiStart) * (in - 1) / (out - 1)
                   : 0.5 * (roiStart + roiEnd) * (in - 1);
  }
  return x;
}

std::vector<double> cubicCoefficients(double r, double a) {
  double s = 1 - r;
  return {((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a,
          ((a + 2) * r - (a + 3)) * r * r + 1,
          ((a + 2) * s - (a + 3)) * s * s + 1,
          ((a * (s + 1) - 5 * a) * (s + 1) + 8 * a) * (s + 1) - 4 * a};
}

Taps makeTaps(const format::ResizeParams &p, int64_t in, int64_t out, double scale,
              double roiStart, double roiEnd) {
  Taps t;
  t.first.push_back(0);
  auto clampIndex = [&](int64_t i) { return std::min(std::max<int64_t>(i, 0), in - 1); };
  for (int64_t o = 0; o < out; ++o) {
    double x = originalCoordinate(p.coordinate_transform(), o, scale, in, out, roiStart, roiEnd);
    bool outside = p.coordinate_transform() == CT::tf_crop_and_resize && (x < 0 || x > in - 1);
    t.outside.push_back(outside);
    if (!outside) {
      double fl = std::floor(x);
      double r = x - fl;
      int64_t base = static_cast<int64_t>(fl);
      switch (p.mode()) {
      case format::ResizeMode::nearest: {
        int64_t i = base;
        if (r > 0) {
          using NM = format::NearestMode;
          bool up = p.nearest_mode() == NM::round_prefer_floor  ? r > 0.5
                    : p.nearest_mode() == NM::round_prefer_ceil ? r >= 0.5
                    : p.nearest_mode() == NM::ceil;
          i += up;
        }
        t.index.push_back(clampIndex(i));
        t.weight.push_back(1);
        break;
      }
      case format::ResizeMode::linear:
        t.index.push_back(clampIndex(base));
        t.weight.push_back(1 - r);
        t.index.push_back(clampIndex(base + 1));
        t.weight.push_back(r);
        break;
      case format::ResizeMode::cubic: {
        std::vector<double> c = cubicCoefficients(r, p.cubic_coeff_a());
        double sum = 0;
        for (int k = 0; k < 4; ++k) {
          int64_t i = base - 1 + k;
          // exclude_outside: taps outside the input get weight 0 and the
          // rest are renormalized.
          if (p.exclude_outside() && (i < 0 || i >= in))
            c[k] = 0;
          sum += c[k];
        }
        for (int k = 0; k < 4; ++k) {
          t.index.push_back(clampIndex(base - 1 + k));
          t.weight.push_back(p.exclude_outside() && sum != 0 ? c[k] / sum : c[k]);
        }
        break;
      }
      }
    }
    t.first.push_back(t.index.size());
  }
  return t;
}

} // namespace

KernelPtr makeResize(const KernelArgs &args) {
  const auto *p = args.op->params_as_ResizeParams();
  // ONNX's roi, scales and sizes operands may be kept; params hold them.
  checkOperands(args, 1, 4, 1);
  const TensorRef &x = *args.inputs[0], &y = *args.outputs[0];
  checkType(args, x, ElementType::f32, "input");
  checkType(args, y, ElementType::f32, "output");
  checkRank(args, y, x.rank(), "output");
  if (p->mode() > format::ResizeMode::MAX ||
      p->coordinate_transform() > CT::MAX ||
      p->nearest_mode() > format::NearestMode::MAX)
    args.fail("unknown resize mode");
  size_t rank = x.rank();
  if (p->scales() && p->scales()->size() != 0 && p->scales()->size() != rank)
    args.fail("scales need one value per dim");
  bool crop = p->coordinate_transform() == CT::tf_crop_and_resize;
  if (crop && (!p->roi() || p->roi()->size() != 2 * rank))
    args.fail("tf_crop_and_resize needs a roi of two values per dim");
  std::vector<Taps> taps(rank);
  for (size_t d = 0; d < rank; ++d) {
    int64_t in = x.dim(d), out = y.dim(d);
    if (in == 0 && out != 0)
      args.fail("cannot resize an empty dim to a non-empty one");
    double roiStart = crop ? p->roi()->Get(d) : 0, roiEnd = crop ? p->roi()->Get(rank + d) : 1;
    double scale;
    if (p->scales() && p->scales()->size()) {
      scale = p->scales()->Get(d);
      if (!(scale > 0) || !std::isfinite(scale))
        args.fail("scales must be positive");
      // ONNX: out = floor(in * (roi extent) * scale); allow for rounding.
      double expected = std::floor(in * (roiEnd - roiStart) * scale);
      if (std::fabs(expected - out) > 1)
        args.fail("output dim " + std::to_string(d) + " is " + std::to_string(out) +
                  ", the scale gives " + std::to_string(static_cast<int64_t>(expected)));
    } else {
      scale = in ? double(out) / in : 1;
    }
    if (!std::isfinite(roiStart) || !std::isfinite(roiEnd))
      args.fail("roi must be finite");
    taps[d] = makeTaps(*p, in, out, scale, roiStart, roiEnd);
  }
  float extrapolation = p->extrapolation_value();
  std::vector<int64_t> xStrides = stridesOf(x.dims);
  // The output index, kept with the kernel: a run allocates nothing.
  std::vector<int64_t> index(x.rank());
  return makeKernel([taps, xStrides, extrapolation,
                     index](const KernelArgs &args) mutable {
    const TensorRef &x = *args.inputs[0], &y = *args.outputs[0];
    const float *px = x.as<float>();
    float *py = y.as<float>();
    size_t rank = x.rank();
    int64_t total = y.count();
    if (rank == 0) {
      if (total)
        py[0] = px[0];
      return;
    }
    std::fill(index.begin(), index.end(), 0);
    // Recursion over dims: accumulate weight products and input offsets.
    auto accumulate = [&](auto &self, size_t d, int64_t offset, double w) -> double {
      const Taps &t = taps[d];
      int64_t o = index[d];
      double sum = 0;
      for (int64_t k = t.first[o]; k < t.first[o + 1]; ++k) {
        int64_t off = offset + t.index[k] * xStrides[d];
        double wk = w * t.weight[k];
        sum += d + 1 == rank ? wk * px[off] : self(self, d + 1, off, wk);
      }
      return sum;
    };
    for (int64_t i = 0; i < total; ++i) {
      bool outside = false;
      for (size_t d = 0; d < rank; ++d)
        outside |= taps[d].outside[index[d]];
      py[i] = outside ? extrapolation
                      : static_cast<float>(accumulate(accumulate, 0, 0, 1.0));
      for (size_t d = rank; d-- > 0;) {
        if (++index[d] < y.dim(d))
          break;
        index[d] = 0;
      }
    }
  });
}

} // namespace mlc::rt::ref
