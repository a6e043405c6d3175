//===- Broadcast.cpp - Binary ops on broadcasts oneDNN's JIT refuses ------===//
//
// oneDNN's JIT binary kernels take a second operand broadcast along a few
// dims only (per channel, per batch); any other broadcast goes to its
// reference implementation, which computes each element's offsets from its
// index and runs 50-100x slower than a loop. ConvNeXt's LayerNorm
// (exported as ReduceMean, Sub, Pow, Div... over the last dim of an
// [N, H, W, C] tensor) subtracts and divides by [N, H, W, 1] tensors: with
// oneDNN's reference those ops took 65% of the prediction. This kernel runs
// any broadcast as nested loops over the output's memory order, the dims
// that are contiguous in every operand merged, the innermost loop over
// contiguous or repeated elements (vectorized), rows shared among threads.
//
//===----------------------------------------------------------------------===//

#include "OneDNN.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace mlc::rt::onednn {
namespace {

/// The loop nest: dims outermost first, each operand's stride (in elements)
/// along each; 0 where it is broadcast. Operand 0 and 1 are read, 2 written.
struct LoopNest {
  std::vector<int64_t> dims;
  std::vector<int64_t> strides[3];
};

/// Orders the dims by the output's strides (its memory order) and merges
/// neighbours that every operand walks as one.
LoopNest makeLoopNest(const dims &outDims, const dims (&strides)[3]) {
  std::vector<size_t> order(outDims.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return strides[2][a] > strides[2][b];
  });
  LoopNest nest;
  for (size_t d : order) {
    if (outDims[d] == 1)
      continue;
    bool merges = !nest.dims.empty();
    for (int k = 0; k < 3 && merges; ++k)
      merges = nest.strides[k].back() == strides[k][d] * outDims[d];
    if (merges) {
      nest.dims.back() *= outDims[d];
      for (int k = 0; k < 3; ++k)
        nest.strides[k].back() = strides[k][d];
      continue;
    }
    nest.dims.push_back(outDims[d]);
    for (int k = 0; k < 3; ++k)
      nest.strides[k].push_back(strides[k][d]);
  }
  if (nest.dims.empty()) {
    nest.dims.push_back(1);
    for (int k = 0; k < 3; ++k)
      nest.strides[k].push_back(1);
  }
  return nest;
}

/// One row of the innermost dim: y[i] = op(a[i sa], b[i sb]), with the
/// common strides written out so that the compiler vectorizes them.
template <typename Op>
void row(const float *a, const float *b, float *y, int64_t n, int64_t sa,
         int64_t sb, Op op) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; ++i)
      y[i] = op(a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    float v = *b;
    for (int64_t i = 0; i < n; ++i)
      y[i] = op(a[i], v);
  } else if (sa == 0 && sb == 1) {
    float u = *a;
    for (int64_t i = 0; i < n; ++i)
      y[i] = op(u, b[i]);
  } else {
    for (int64_t i = 0; i < n; ++i)
      y[i] = op(a[i * sa], b[i * sb]);
  }
}

class BroadcastBinaryKernel : public Kernel {
public:
  BroadcastBinaryKernel(const KernelArgs &args, format::BinaryKind kind,
                        format::Activation activation, bool swapped,
                        LoopNest nest)
      : kind(kind), activation(activation), swapped(swapped),
        nest(std::move(nest)), threads(std::max(args.threads, 1)) {}

  void run(const KernelArgs &args) override {
    const float *a = args.inputs[swapped ? 1 : 0]->as<float>(),
                *b = args.inputs[swapped ? 0 : 1]->as<float>();
    float *y = args.outputs[0]->as<float>();
    using K = format::BinaryKind;
    switch (kind) {
    case K::add:
      return runWith(a, b, y, [](float u, float v) { return u + v; });
    case K::sub:
      return runWith(a, b, y, [](float u, float v) { return u - v; });
    case K::mul:
      return runWith(a, b, y, [](float u, float v) { return u * v; });
    case K::div:
      return runWith(a, b, y, [](float u, float v) { return u / v; });
    // NaN propagates, as in ONNX's Max and Min (and the reference kernel).
    case K::max:
      return runWith(a, b, y, [](float u, float v) {
        return std::isnan(u) || u >= v ? u : v;
      });
    case K::min:
      return runWith(a, b, y, [](float u, float v) {
        return std::isnan(u) || u <= v ? u : v;
      });
    default:
      break;
    }
  }
  std::string implementation() const override { return "mlc:broadcast"; }
  bool rebinds() const override { return true; }

private:
  template <typename Op>
  void runWith(const float *a, const float *b, float *y, Op op) {
    size_t depth = nest.dims.size();
    int64_t inner = nest.dims.back(), rows = 1;
    for (size_t d = 0; d + 1 < depth; ++d)
      rows *= nest.dims[d];
    int64_t sa = nest.strides[0].back(), sb = nest.strides[1].back(),
            sy = nest.strides[2].back();
    bool activate = activation.kind() != format::ActivationKind::none;
    // Threads only where there is enough work to share (about 32K
    // elements): a small op runs faster on one than it takes to wake two.
    int team = rows * inner >= (int64_t(1) << 15) ? threads : 1;
    forRanges(team, rows, [&](int, int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        // The row's offsets in each operand, from its index over the outer
        // dims (innermost of them last).
        int64_t offsets[3] = {0, 0, 0}, rest = r;
        for (size_t d = depth - 1; d-- > 0;) {
          int64_t i = rest % nest.dims[d];
          rest /= nest.dims[d];
          for (int k = 0; k < 3; ++k)
            offsets[k] += i * nest.strides[k][d];
        }
        float *out = y + offsets[2];
        if (sy == 1) {
          row(a + offsets[0], b + offsets[1], out, inner, sa, sb, op);
        } else {
          for (int64_t i = 0; i < inner; ++i)
            out[i * sy] = op(a[offsets[0] + i * sa], b[offsets[1] + i * sb]);
        }
        if (activate)
          for (int64_t i = 0; i < inner; ++i)
            out[i * sy] = applyActivation(activation, out[i * sy]);
      }
    });
  }

  format::BinaryKind kind;
  format::Activation activation;
  bool swapped;
  LoopNest nest;
  int threads;
};

} // namespace

KernelPtr makeBroadcastBinary(const KernelArgs &args, format::BinaryKind kind,
                              const format::Activation *activation,
                              bool swapped, const dnnl::memory::desc &lhs,
                              const dnnl::memory::desc &rhs,
                              const dnnl::memory::desc &dst) {
  dims outDims = dst.dims();
  dims strides[3];
  const dnnl::memory::desc *descs[3] = {&lhs, &rhs, &dst};
  for (int k = 0; k < 3; ++k) {
    const dnnl_memory_desc_t &md = descs[k]->data;
    if (md.format_kind != dnnl_blocked || md.format_desc.blocking.inner_nblks)
      return nullptr;
    strides[k].assign(md.format_desc.blocking.strides,
                      md.format_desc.blocking.strides + md.ndims);
    for (int d = 0; d < md.ndims; ++d)
      if (md.dims[d] == 1)
        strides[k][d] = 0;
  }
  // The output is written once per element: its strides must be distinct.
  for (size_t d = 0; d < outDims.size(); ++d)
    if (outDims[d] > 1 && strides[2][d] == 0)
      return nullptr;
  return std::make_unique<BroadcastBinaryKernel>(
      args, kind,
      activation ? *activation
                 : format::Activation(format::ActivationKind::none, 0, 0),
      swapped, makeLoopNest(outDims, strides));
}

} // namespace mlc::rt::onednn
