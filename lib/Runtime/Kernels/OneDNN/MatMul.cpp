//===- MatMul.cpp - Gemm and MatMul on oneDNN's matmul --------------------===//
//
// Gemm: the transposes are strides; B, a weight, is reordered once into the
// layout the primitive prefers; alpha, beta and C are post-ops:
// act(beta * ((alpha / beta) * A B + C)), the binary post-op broadcasting C.
// MatMul: numpy's batch broadcasting and 1-D operands, a fused bias and
// activation (a Linear layer on [.., C]); a constant 2-D B (the Linear's
// weight) is reordered once and the batch dims fold into rows; any other B
// (often an activation: attention) stays where it is, in plain layout.
//
//===----------------------------------------------------------------------===//

#include "OneDNN.h"

#include <cmath>

namespace mlc::rt::onednn {

KernelPtr makeGemm(const KernelArgs &args) {
  const format::GemmParams *p = args.op->params_as_GemmParams();
  if (!p || !hasOperands(args, 2, 3))
    return nullptr;
  const TensorRef *a = args.input(0), *b = args.input(1), *c = args.input(2),
                  *y = args.outputs[0];
  // B is reordered once: it must be a weight (constant).
  if (!isF32(a, 2, 2) || !isF32(b, 2, 2) || !isF32(y, 2, 2) || !b->constant)
    return nullptr;
  bool ta = p->trans_a(), tb = p->trans_b();
  int64_t m = ta ? a->dim(1) : a->dim(0), k = ta ? a->dim(0) : a->dim(1);
  int64_t n = tb ? b->dim(0) : b->dim(1);
  if ((tb ? b->dim(1) : b->dim(0)) != k || y->dim(0) != m || y->dim(1) != n)
    return nullptr;
  float alpha = p->alpha(), beta = p->beta();
  if (!std::isfinite(alpha) || !std::isfinite(beta))
    return nullptr;
  if (beta == 0)
    c = nullptr;
  dims cDims;
  if (c) {
    if (!isF32(c, 0, 2))
      return nullptr;
    cDims.assign(2 - c->rank(), 1);
    cDims.insert(cDims.end(), c->dims.begin(), c->dims.end());
    if ((cDims[0] != 1 && cDims[0] != m) || (cDims[1] != 1 && cDims[1] != n))
      return nullptr;
  }

  // The scale of A B is an output scale: oneDNN's gemm-based matmul folds a
  // leading eltwise_linear post-op into its alpha and then misapplies a
  // later one.
  dnnl::post_ops ops;
  int cIndex = -1;
  float scale = alpha;
  if (c) {
    scale = alpha / beta;
    if (!std::isfinite(scale))
      return nullptr;
    cIndex = ops.len();
    ops.append_binary(dnnl::algorithm::binary_add, plainDesc(cDims));
    if (beta != 1)
      ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear, beta, 0.0f);
  }
  if (!appendActivation(ops, p->activation()))
    return nullptr;
  dnnl::primitive_attr attr = makeAttr(args, ops);
  if (scale != 1)
    attr.set_output_scales(0, {scale});

  using dt = dnnl::memory::data_type;
  dnnl::memory::desc aDesc({m, k}, dt::f32,
                           ta ? dims{1, m} : dims{k, 1});
  dnnl::memory::desc bUser({k, n}, dt::f32, tb ? dims{1, k} : dims{n, 1});
  dnnl::memory::desc bAny({k, n}, dt::f32, dnnl::memory::format_tag::any);
  dnnl::matmul::desc desc(aDesc, bAny, plainDesc({m, n}));
  dnnl::matmul::primitive_desc pd(desc, attr, engine());

  auto kernel = std::make_unique<PrimitiveKernel>(args);
  std::vector<std::pair<int, dnnl::memory>> arguments = {
      {DNNL_ARG_SRC, dnnl::memory(aDesc, engine(), a->data)},
      {DNNL_ARG_WEIGHTS,
       kernel->weight(dnnl::memory(bUser, engine(), b->data),
                      pd.weights_desc())},
      {DNNL_ARG_DST, userMemory(*y)}};
  if (c)
    arguments.push_back(
        {DNNL_ARG_ATTR_MULTIPLE_POST_OP(cIndex) | DNNL_ARG_SRC_1,
         userMemory(*c, cDims)});
  kernel->add(dnnl::matmul(pd), arguments);
  return kernel;
}

KernelPtr makeMatMul(const KernelArgs &args) {
  const format::MatMulParams *p = args.op->params_as_MatMulParams();
  if (!p || !hasOperands(args, 2, 3))
    return nullptr;
  const TensorRef *a = args.inputs[0], *b = args.inputs[1],
                  *bias = args.input(2), *y = args.outputs[0];
  if (!isF32(a, 1) || !isF32(b, 1) || !isF32(y))
    return nullptr;
  dims aDims = a->dims, bDims = b->dims;
  if (a->rank() == 1)
    aDims.insert(aDims.begin(), 1);
  if (b->rank() == 1)
    bDims.push_back(1);
  size_t rank = std::max(aDims.size(), bDims.size());
  aDims.insert(aDims.begin(), rank - aDims.size(), 1);
  bDims.insert(bDims.begin(), rank - bDims.size(), 1);
  int64_t m = aDims[rank - 2], k = aDims[rank - 1], n = bDims[rank - 1];
  if (bDims[rank - 2] != k)
    return nullptr;
  dims outDims, expected;
  for (size_t i = 0; i + 2 < rank; ++i) {
    if (aDims[i] != bDims[i] && aDims[i] != 1 && bDims[i] != 1)
      return nullptr;
    outDims.push_back(std::max(aDims[i], bDims[i]));
  }
  expected = outDims;
  if (a->rank() > 1)
    expected.push_back(m);
  if (b->rank() > 1)
    expected.push_back(n);
  if (y->dims != expected)
    return nullptr;
  outDims.push_back(m);
  outDims.push_back(n);
  // The output must not overwrite an operand it still reads.
  if (y->data == a->data || y->data == b->data)
    return nullptr;
  // A fused bias is added to every row (b has its n columns).
  if (bias && (b->rank() < 2 || !isF32(bias, 1, 1) || bias->dim(0) != n))
    return nullptr;
  // The activation as a post-op, except GELU: oneDNN 2.6's brgemm kernels
  // compute it more slowly than its eltwise primitive does over the result
  // afterwards (ConvNeXt's first MLP layers: 1.65 ms against 1.14 without
  // it, more than its own pass costs).
  const format::Activation *act = p->activation();
  bool geluAfter = act && act->kind() == format::ActivationKind::gelu;
  dnnl::post_ops ops;
  if (!geluAfter && !appendActivation(ops, act))
    return nullptr;
  dnnl::primitive_attr attr = makeAttr(args, ops);
  auto kernel = std::make_unique<PrimitiveKernel>(args);
  auto addGelu = [&] {
    if (!geluAfter)
      return;
    dnnl::memory::desc all = plainDesc({y->count()});
    dnnl::memory result(all, engine(), y->data);
    kernel->add(dnnl::eltwise_forward(dnnl::eltwise_forward::primitive_desc(
                    dnnl::eltwise_forward::desc(
                        dnnl::prop_kind::forward_inference,
                        dnnl::algorithm::eltwise_gelu_erf, all),
                    makeAttr(args), engine())),
                {{DNNL_ARG_SRC, result}, {DNNL_ARG_DST, result}});
  };
  if (b->constant && b->count() == k * n) {
    // A constant [k, n] (a Linear layer's weight, as ConvNeXt's MLPs on
    // [N, H, W, C] tensors): every row of `a` is one row of one product, so
    // the batch dims fold into m and the weight is reordered once into the
    // layout the kernel reads fastest. As a batch of products of the same
    // weight, oneDNN re-read it from memory for each (ConvNeXt's last
    // stage: 92 GFLOP/s against the peak's 229).
    int64_t rows = a->count() / k;
    dnnl::memory::desc aRows = plainDesc({rows, k}), yRows = plainDesc({rows, n});
    dnnl::matmul::desc desc(
        aRows,
        dnnl::memory::desc({k, n}, dnnl::memory::data_type::f32,
                           dnnl::memory::format_tag::any),
        bias ? plainDesc({1, n}) : dnnl::memory::desc(), yRows);
    dnnl::matmul::primitive_desc pd(desc, attr, engine());
    std::vector<std::pair<int, dnnl::memory>> arguments = {
        {DNNL_ARG_SRC, dnnl::memory(aRows, engine(), a->data)},
        {DNNL_ARG_WEIGHTS,
         kernel->weight(dnnl::memory(plainDesc({k, n}), engine(), b->data),
                        pd.weights_desc())},
        {DNNL_ARG_DST, dnnl::memory(yRows, engine(), y->data)}};
    if (bias)
      arguments.push_back({DNNL_ARG_BIAS, userMemory(*bias, {1, n})});
    kernel->add(dnnl::matmul(pd), arguments);
    addGelu();
    return kernel;
  }
  dims biasDims(outDims.size(), 1);
  biasDims.back() = n;
  dnnl::matmul::desc desc(plainDesc(aDims), plainDesc(bDims),
                          bias ? plainDesc(biasDims) : dnnl::memory::desc(),
                          plainDesc(outDims));
  dnnl::matmul::primitive_desc pd(desc, attr, engine());
  std::vector<std::pair<int, dnnl::memory>> arguments = {
      {DNNL_ARG_SRC, dnnl::memory(plainDesc(aDims), engine(), a->data)},
      {DNNL_ARG_WEIGHTS, dnnl::memory(plainDesc(bDims), engine(), b->data)},
      {DNNL_ARG_DST, dnnl::memory(plainDesc(outDims), engine(), y->data)}};
  if (bias)
    arguments.push_back({DNNL_ARG_BIAS, userMemory(*bias, biasDims)});
  kernel->add(dnnl::matmul(pd), arguments);
  addGelu();
  return kernel;
}

} // namespace mlc::rt::onednn
