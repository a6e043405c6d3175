//===- Linear.cpp - Gemm, MatMul, Reduce ----------------------------------===//

#include "Reference.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mlc::rt::ref {

namespace {

// y[MxN] = a[MxK] * b[KxN] (row-major, contiguous), accumulated in the
// i-k-j order so that the inner loop runs over contiguous rows of b and y.
void matmul(const float *a, const float *b, float *y, int64_t m, int64_t k,
            int64_t n) {
  std::fill(y, y + m * n, 0.0f);
  for (int64_t i = 0; i < m; ++i) {
    float *row = y + i * n;
    for (int64_t p = 0; p < k; ++p) {
      float av = a[i * k + p];
      const float *brow = b + p * n;
      for (int64_t j = 0; j < n; ++j)
        row[j] += av * brow[j];
    }
  }
}

} // namespace

KernelPtr makeGemm(const KernelArgs &args) {
  const auto *p = args.op->params_as_GemmParams();
  checkOperands(args, 2, 3, 1);
  const TensorRef &a = *args.inputs[0], &b = *args.inputs[1], &y = *args.outputs[0];
  checkType(args, a, ElementType::f32, "a");
  checkType(args, b, ElementType::f32, "b");
  checkType(args, y, ElementType::f32, "output");
  checkRank(args, a, 2, "a");
  checkRank(args, b, 2, "b");
  bool ta = p->trans_a(), tb = p->trans_b();
  int64_t m = ta ? a.dim(1) : a.dim(0), k = ta ? a.dim(0) : a.dim(1);
  int64_t kb = tb ? b.dim(1) : b.dim(0), n = tb ? b.dim(0) : b.dim(1);
  if (k != kb)
    args.fail("inner dims differ: " + std::to_string(k) + " and " +
              std::to_string(kb));
  checkDims(args, y, {m, n}, "output");
  if (const TensorRef *c = args.input(2)) {
    checkType(args, *c, ElementType::f32, "c");
    if (!broadcastsTo(c->dims, {m, n}))
      args.fail("c dims " + formatShape(c->dims) + " do not broadcast to " +
                formatShape({m, n}));
  }
  format::Activation act = p->activation() ? *p->activation() : format::Activation();
  float alpha = p->alpha(), beta = p->beta();
  return makeKernel([=](const KernelArgs &args) {
    const float *pa = args.inputs[0]->as<float>(), *pb = args.inputs[1]->as<float>();
    const TensorRef &y = *args.outputs[0];
    float *py = y.as<float>();
    std::fill(py, py + m * n, 0.0f);
    for (int64_t i = 0; i < m; ++i) {
      float *row = py + i * n;
      for (int64_t q = 0; q < k; ++q) {
        float av = alpha * (ta ? pa[q * m + i] : pa[i * k + q]);
        if (tb)
          for (int64_t j = 0; j < n; ++j)
            row[j] += av * pb[j * k + q];
        else
          for (int64_t j = 0; j < n; ++j)
            row[j] += av * pb[q * n + j];
      }
    }
    const TensorRef *c = args.input(2);
    std::vector<int64_t> cStrides =
        c ? broadcastStrides(c->dims, y.dims) : std::vector<int64_t>{0, 0};
    const float *pc = c ? c->as<float>() : nullptr;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        float v = py[i * n + j];
        if (pc)
          v += beta * pc[i * cStrides[0] + j * cStrides[1]];
        py[i * n + j] = applyActivation(act, v);
      }
  });
}

KernelPtr makeMatMul(const KernelArgs &args) {
  checkOperands(args, 2, 3, 1);
  const TensorRef &a = *args.inputs[0], &b = *args.inputs[1], &y = *args.outputs[0];
  checkType(args, a, ElementType::f32, "a");
  checkType(args, b, ElementType::f32, "b");
  checkType(args, y, ElementType::f32, "output");
  if (a.rank() == 0 || b.rank() == 0)
    args.fail("operands must have rank >= 1");
  // Numpy: a 1-D a is a row [1, K], a 1-D b a column [K, 1]; those unit
  // dims are dropped from the result.
  std::vector<int64_t> ad = a.dims, bd = b.dims;
  if (ad.size() == 1)
    ad.insert(ad.begin(), 1);
  if (bd.size() == 1)
    bd.push_back(1);
  int64_t m = ad[ad.size() - 2], k = ad.back(), n = bd.back();
  if (bd[bd.size() - 2] != k)
    args.fail("inner dims differ: " + formatShape(a.dims) + " and " +
              formatShape(b.dims));
  std::vector<int64_t> aBatch(ad.begin(), ad.end() - 2), bBatch(bd.begin(), bd.end() - 2);
  std::vector<int64_t> batch = broadcastShapes(args, aBatch, bBatch);
  std::vector<int64_t> out = batch;
  if (a.rank() > 1)
    out.push_back(m);
  if (b.rank() > 1)
    out.push_back(n);
  checkDims(args, y, out, "output");
  // The fused bias ([N], added to every row) and activation.
  const format::MatMulParams *p = args.op->params_as_MatMulParams();
  const format::Activation act =
      p && p->activation() ? *p->activation()
                           : format::Activation(format::ActivationKind::none, 0, 0);
  if (const TensorRef *bias = args.input(2)) {
    if (b.rank() < 2)
      args.fail("a bias needs a b of rank 2 or more");
    checkType(args, *bias, ElementType::f32, "bias");
    checkDims(args, *bias, {n}, "bias");
  }
  // Batch strides in units of whole matrices.
  std::vector<int64_t> aStrides = broadcastStrides(aBatch, batch);
  std::vector<int64_t> bStrides = broadcastStrides(bBatch, batch);
  return makeKernel([=](const KernelArgs &args) {
    const float *pa = args.inputs[0]->as<float>(), *pb = args.inputs[1]->as<float>();
    float *py = args.outputs[0]->as<float>();
    const std::vector<int64_t> strides[2] = {aStrides, bStrides};
    if (batch.empty()) {
      matmul(pa, pb, py, m, k, n);
    } else {
      forEachIndex(batch, strides, [&](int64_t i, const int64_t *o) {
        matmul(pa + o[0] * m * k, pb + o[1] * k * n, py + i * m * n, m, k, n);
      });
    }
    const TensorRef *bias = args.input(2);
    if (!bias && act.kind() == format::ActivationKind::none)
      return;
    const float *pbias = bias ? bias->as<float>() : nullptr;
    int64_t count = args.outputs[0]->count();
    for (int64_t i = 0; i < count; ++i)
      py[i] = applyActivation(act, pbias ? py[i] + pbias[i % n] : py[i]);
  });
}

KernelPtr makeReduce(const KernelArgs &args) {
  const auto *p = args.op->params_as_ReduceParams();
  checkOperands(args, 1, 1, 1);
  const TensorRef &x = *args.inputs[0], &y = *args.outputs[0];
  checkType(args, x, ElementType::f32, "input");
  checkType(args, y, ElementType::f32, "output");
  format::ReduceKind kind = p->kind();
  if (kind > format::ReduceKind::MAX)
    args.fail("unknown reduce kind");
  std::vector<bool> reduced(x.rank(), false);
  if (p->axes())
    for (int32_t axis : *p->axes()) {
      if (axis < 0 || axis >= static_cast<int64_t>(x.rank()) || reduced[axis])
        args.fail("bad reduce axis " + std::to_string(axis));
      reduced[axis] = true;
    }
  std::vector<int64_t> out, keptDims;
  int64_t count = 1;
  for (size_t i = 0; i < x.rank(); ++i) {
    keptDims.push_back(reduced[i] ? 1 : x.dim(i));
    if (reduced[i])
      count *= x.dim(i);
    if (!reduced[i] || p->keepdims())
      out.push_back(reduced[i] ? 1 : x.dim(i));
  }
  checkDims(args, y, out, "output");
  // y seen with x's rank: stride 0 along reduced axes.
  std::vector<int64_t> yStrides = stridesOf(keptDims);
  for (size_t i = 0; i < x.rank(); ++i)
    if (reduced[i])
      yStrides[i] = 0;
  std::vector<int64_t> xStrides = stridesOf(x.dims);
  return makeKernel([=](const KernelArgs &args) {
    const TensorRef &x = *args.inputs[0], &y = *args.outputs[0];
    const float *px = x.as<float>();
    float *py = y.as<float>();
    using K = format::ReduceKind;
    float init = kind == K::max   ? -std::numeric_limits<float>::infinity()
                 : kind == K::min ? std::numeric_limits<float>::infinity()
                 : kind == K::prod ? 1.0f
                                   : 0.0f;
    std::fill(py, py + y.count(), init);
    const std::vector<int64_t> strides[2] = {xStrides, yStrides};
    auto each = [&](auto combine) {
      forEachIndex(x.dims, strides, [&](int64_t, const int64_t *o) {
        py[o[1]] = combine(py[o[1]], px[o[0]]);
      });
    };
    switch (kind) {
    case K::mean:
    case K::sum:
      each([](float acc, float v) { return acc + v; });
      break;
    case K::max:
      each([](float acc, float v) { return std::isnan(v) || v > acc ? v : acc; });
      break;
    case K::min:
      each([](float acc, float v) { return std::isnan(v) || v < acc ? v : acc; });
      break;
    case K::prod:
      each([](float acc, float v) { return acc * v; });
      break;
    }
    if (kind == K::mean && count > 0)
      for (int64_t i = 0; i < y.count(); ++i)
        py[i] /= static_cast<float>(count);
  });
}

} // namespace mlc::rt::ref
