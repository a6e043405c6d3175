//===- Elementwise.cpp - Unary, binary, batch norm, softmax ---------------===//

#include "OneDNN.h"

#include <cmath>

namespace mlc::rt::onednn {

KernelPtr makeBatchNorm(const KernelArgs &args) {
  const format::BatchNormParams *p = args.op->params_as_BatchNormParams();
  if (!p || !hasOperands(args, 5, 5))
    return nullptr;
  const TensorRef *x = args.inputs[0], *y = args.outputs[0];
  if (!isF32(x, 2, 5) || !isF32(y) || y->dims != x->dims)
    return nullptr;
  for (size_t i = 1; i < 5; ++i)
    if (!isF32(args.inputs[i], 1, 1) || args.inputs[i]->dim(0) != x->dim(1))
      return nullptr;
  auto flags = dnnl::normalization_flags::use_scale |
               dnnl::normalization_flags::use_shift |
               dnnl::normalization_flags::use_global_stats;
  const format::Activation *act = p->activation();
  if (act && act->kind() == format::ActivationKind::relu)
    flags = flags | dnnl::normalization_flags::fuse_norm_relu;
  else if (act && act->kind() != format::ActivationKind::none)
    return nullptr;
  float epsilon = p->epsilon();
  if (!(epsilon >= 0) || !std::isfinite(epsilon))
    return nullptr;
  // In place or not, the source and destination share a layout.
  if (x->layout != y->layout)
    return nullptr;
  dnnl::batch_normalization_forward::desc desc(
      dnnl::prop_kind::forward_inference, descOf(*x), epsilon, flags);
  dnnl::batch_normalization_forward::primitive_desc pd(desc, makeAttr(args),
                                                       engine());
  auto k = std::make_unique<PrimitiveKernel>(args);
  k->add(dnnl::batch_normalization_forward(pd),
         {{DNNL_ARG_SRC, userMemory(*x)},
          {DNNL_ARG_DST, userMemory(*y)},
          {DNNL_ARG_SCALE, userMemory(*args.inputs[1])},
          {DNNL_ARG_SHIFT, userMemory(*args.inputs[2])},
          {DNNL_ARG_MEAN, userMemory(*args.inputs[3])},
          {DNNL_ARG_VARIANCE, userMemory(*args.inputs[4])}});
  return k;
}

KernelPtr makeUnary(const KernelArgs &args) {
  const format::UnaryParams *p = args.op->params_as_UnaryParams();
  if (!p || !hasOperands(args, 1, 1))
    return nullptr;
  const TensorRef *x = args.inputs[0], *y = args.outputs[0];
  if (!isF32(x) || !isF32(y) || y->dims != x->dims)
    return nullptr;
  using alg = dnnl::algorithm;
  float alpha = p->alpha(), beta = p->beta();
  alg kind;
  float a = 0, b = 0;
  // hard_sigmoid is a linear followed by a clip (a second primitive, in
  // place: oneDNN 2.6's eltwise with an eltwise post-op writes zeros).
  bool clipAfter = false;
  switch (p->kind()) {
  case format::UnaryKind::relu:
    kind = alg::eltwise_relu;
    break;
  case format::UnaryKind::leaky_relu:
    if (!std::isfinite(alpha))
      return nullptr;
    kind = alg::eltwise_relu, a = alpha;
    break;
  case format::UnaryKind::sigmoid:
    kind = alg::eltwise_logistic;
    break;
  case format::UnaryKind::tanh:
    kind = alg::eltwise_tanh;
    break;
  case format::UnaryKind::hard_sigmoid:
    if (!std::isfinite(alpha) || !std::isfinite(beta))
      return nullptr;
    kind = alg::eltwise_linear, a = alpha, b = beta, clipAfter = true;
    break;
  case format::UnaryKind::hard_swish:
    kind = alg::eltwise_hardswish;
    break;
  case format::UnaryKind::elu:
    if (!std::isfinite(alpha))
      return nullptr;
    kind = alg::eltwise_elu, a = alpha;
    break;
  case format::UnaryKind::softplus:
    kind = alg::eltwise_soft_relu;
    break;
  case format::UnaryKind::exp:
    kind = alg::eltwise_exp;
    break;
  case format::UnaryKind::log:
    kind = alg::eltwise_log;
    break;
  case format::UnaryKind::sqrt:
    kind = alg::eltwise_sqrt;
    break;
  case format::UnaryKind::abs:
    kind = alg::eltwise_abs;
    break;
  case format::UnaryKind::neg:
    kind = alg::eltwise_linear, a = -1;
    break;
  default:
    // erf, floor, ceil (oneDNN rounds half to even only), reciprocal (its
    // pow is not a correctly rounded division).
    return nullptr;
  }
  // Elementwise: any rank, in one layout, is one run of count elements.
  if (x->layout != y->layout && !x->layoutNeutral())
    return nullptr;
  dnnl::memory::desc md = plainDesc({x->count()});
  dnnl::eltwise_forward::desc desc(dnnl::prop_kind::forward_inference, kind,
                                   md, a, b);
  dnnl::eltwise_forward::primitive_desc pd(desc, makeAttr(args), engine());
  auto k = std::make_unique<PrimitiveKernel>(args);
  dnnl::memory src(md, engine(), x->data), dst(md, engine(), y->data);
  k->add(dnnl::eltwise_forward(pd), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
  if (clipAfter) {
    dnnl::eltwise_forward::desc clip(dnnl::prop_kind::forward_inference,
                                     alg::eltwise_clip, md, 0.0f, 1.0f);
    k->add(dnnl::eltwise_forward(dnnl::eltwise_forward::primitive_desc(
               clip, makeAttr(args), engine())),
           {{DNNL_ARG_SRC, dst}, {DNNL_ARG_DST, dst}});
  }
  return k;
}

namespace {
// x ^ 2, as LayerNorm's variance is exported (Pow(x - mean, 2)): x * x,
// as exact as pow's correctly rounded result. Other exponents stay with
// the reference kernel (oneDNN's pow is exp(b log x)).
KernelPtr makeSquare(const KernelArgs &args, const TensorRef &x,
                     const TensorRef &exponent, const TensorRef &y) {
  const format::BinaryParams *p = args.op->params_as_BinaryParams();
  if (!exponent.constant || exponent.count() != 1 ||
      *exponent.as<float>() != 2 || x.dims != y.dims ||
      x.layout != y.layout ||
      (p->activation() &&
       p->activation()->kind() != format::ActivationKind::none))
    return nullptr;
  dnnl::memory::desc md = plainDesc({x.count()});
  dnnl::eltwise_forward::desc desc(dnnl::prop_kind::forward_inference,
                                   dnnl::algorithm::eltwise_square, md);
  dnnl::eltwise_forward::primitive_desc pd(desc, makeAttr(args), engine());
  auto k = std::make_unique<PrimitiveKernel>(args);
  k->add(dnnl::eltwise_forward(pd),
         {{DNNL_ARG_SRC, dnnl::memory(md, engine(), x.data)},
          {DNNL_ARG_DST, dnnl::memory(md, engine(), y.data)}});
  return k;
}
} // namespace

KernelPtr makeBinary(const KernelArgs &args) {
  const format::BinaryParams *p = args.op->params_as_BinaryParams();
  if (!p || !hasOperands(args, 2, 2))
    return nullptr;
  const TensorRef *lhs = args.inputs[0], *rhs = args.inputs[1],
                  *y = args.outputs[0];
  if (!isF32(lhs) || !isF32(rhs) || !isF32(y))
    return nullptr;
  if (p->kind() == format::BinaryKind::pow)
    return makeSquare(args, *lhs, *rhs, *y);
  using alg = dnnl::algorithm;
  alg kind;
  bool commutative = true;
  switch (p->kind()) {
  case format::BinaryKind::add:
    kind = alg::binary_add;
    break;
  case format::BinaryKind::sub:
    kind = alg::binary_sub, commutative = false;
    break;
  case format::BinaryKind::mul:
    kind = alg::binary_mul;
    break;
  case format::BinaryKind::div:
    kind = alg::binary_div, commutative = false;
    break;
  case format::BinaryKind::max:
    kind = alg::binary_max;
    break;
  case format::BinaryKind::min:
    kind = alg::binary_min;
    break;
  default:
    return nullptr;
  }
  // oneDNN broadcasts its second operand only: the first must have the
  // output's dims (a commutative op swaps its operands to get that).
  bool swapped = false;
  if (lhs->dims != y->dims) {
    if (!commutative || rhs->dims != y->dims)
      return nullptr;
    std::swap(lhs, rhs);
    swapped = true;
  }
  if (rhs->rank() > y->rank())
    return nullptr;
  dims outDims = y->dims, rhsDims(y->rank() - rhs->rank(), 1);
  rhsDims.insert(rhsDims.end(), rhs->dims.begin(), rhs->dims.end());
  for (size_t i = 0; i < outDims.size(); ++i)
    if (rhsDims[i] != 1 && rhsDims[i] != outDims[i])
      return nullptr;
  // The broadcast operand must not be overwritten while it is read.
  if (rhs->data == y->data && rhsDims != outDims)
    return nullptr;
  if (outDims.empty())
    outDims = rhsDims = {1};
  // A broadcast operand's dims are padded with 1s: it is read in the
  // output's layout, which its bytes must then be in (a layout-neutral
  // operand, as [C, 1, 1] or [N, C, 1, 1] are, is in both).
  Layout rhsLayout = rhs->layout;
  if (rhs->dims != y->dims) {
    TensorRef padded = *rhs;
    padded.dims = rhsDims;
    if (rhs->layout != y->layout && !padded.layoutNeutral())
      return nullptr;
    rhsLayout = y->layout;
  }
  dnnl::post_ops ops;
  if (!appendActivation(ops, p->activation()))
    return nullptr;
  dnnl::memory::desc lhsDesc = layoutDesc(outDims, lhs->layout),
                     rhsDesc = layoutDesc(rhsDims, rhsLayout),
                     dstDesc = layoutDesc(outDims, y->layout);
  dnnl::binary::desc desc(kind, lhsDesc, rhsDesc, dstDesc);
  dnnl::binary::primitive_desc pd(desc, makeAttr(args, ops), engine());
  if (std::string(pd.impl_info_str()).rfind("ref", 0) == 0)
    return makeBroadcastBinary(args, p->kind(), p->activation(), swapped,
                               lhsDesc, rhsDesc, dstDesc);
  auto k = std::make_unique<PrimitiveKernel>(args);
  k->add(dnnl::binary(pd),
         {{DNNL_ARG_SRC_0, dnnl::memory(lhsDesc, engine(), lhs->data)},
          {DNNL_ARG_SRC_1, dnnl::memory(rhsDesc, engine(), rhs->data)},
          {DNNL_ARG_DST, dnnl::memory(dstDesc, engine(), y->data)}});
  return k;
}

KernelPtr makeSoftmax(const KernelArgs &args) {
  const format::SoftmaxParams *p = args.op->params_as_SoftmaxParams();
  if (!p || !hasOperands(args, 1, 1))
    return nullptr;
  const TensorRef *x = args.inputs[0], *y = args.outputs[0];
  if (!isF32(x, 1) || !isF32(y) || y->dims != x->dims)
    return nullptr;
  int64_t rank = static_cast<int64_t>(x->rank()), axis = p->axis();
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank)
    return nullptr;
  dnnl::softmax_v2_forward::desc desc(
      dnnl::prop_kind::forward_inference,
      p->log() ? dnnl::algorithm::softmax_log
               : dnnl::algorithm::softmax_accurate,
      descOf(*x), descOf(*y), static_cast<int>(axis));
  dnnl::softmax_v2_forward::primitive_desc pd(desc, makeAttr(args), engine());
  auto k = std::make_unique<PrimitiveKernel>(args);
  k->add(dnnl::softmax_v2_forward(pd),
         {{DNNL_ARG_SRC, userMemory(*x)}, {DNNL_ARG_DST, userMemory(*y)}});
  return k;
}

} // namespace mlc::rt::onednn
