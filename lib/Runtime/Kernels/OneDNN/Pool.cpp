//===- Pool.cpp - Max and average pooling ---------------------------------===//
//
// ceil_mode: the plan's output may have one more window than the floor
// formula gives; oneDNN gets an end padding extended to cover it. That is
// exact for max pooling and for averages that exclude the padding (ONNX
// drops a window that would start in the end padding, so the last one starts
// in the input). An average that counts the padding would count the
// extension too (ONNX counts only the explicit pads), so it runs on the
// reference kernel when the extension is needed.
//
//===----------------------------------------------------------------------===//

#include "OneDNN.h"

namespace mlc::rt::onednn {
namespace {

KernelPtr makePooling(const KernelArgs &args, dnnl::algorithm alg,
                      const TensorRef &x, const TensorRef &y,
                      const dims &kernel, const dims &strides,
                      const dims &dilations, const dims &padsBegin,
                      const dims &padsEnd) {
  dnnl::pooling_v2_forward::desc desc(
      dnnl::prop_kind::forward_inference, alg, descOf(x), descOf(y), strides,
      kernel, dilations, padsBegin, padsEnd);
  dnnl::pooling_v2_forward::primitive_desc pd(desc, makeAttr(args), engine());
  auto k = std::make_unique<PrimitiveKernel>(args);
  k->add(dnnl::pooling_v2_forward(pd),
         {{DNNL_ARG_SRC, userMemory(x)}, {DNNL_ARG_DST, userMemory(y)}});
  return k;
}

} // namespace

KernelPtr makePool(const KernelArgs &args) {
  const format::PoolParams *p = args.op->params_as_PoolParams();
  // A max pool's indices output is not oneDNN's.
  if (!p || args.inputs.size() != 1 || !args.inputs[0] ||
      args.outputs.size() != 1 || !args.outputs[0])
    return nullptr;
  const TensorRef *x = args.inputs[0], *y = args.outputs[0];
  if (!isF32(x, 3, 5) || !isF32(y, 3, 5) || y->rank() != x->rank() ||
      y->dim(0) != x->dim(0) || y->dim(1) != x->dim(1))
    return nullptr;
  size_t spatial = x->rank() - 2;
  std::vector<int64_t> kernel = toVector(p->kernel());
  std::vector<int64_t> strides = toVector(p->strides());
  std::vector<int64_t> dilations = toVector(p->dilations());
  std::vector<int64_t> pads = toVector(p->pads());
  if (kernel.size() != spatial || !windowParam(kernel, spatial, 1, 1) ||
      !windowParam(strides, spatial, 1, 1) ||
      !windowParam(dilations, spatial, 1, 1) ||
      !windowParam(pads, 2 * spatial, 0, 0))
    return nullptr;
  std::vector<int64_t> inDims(x->dims.begin() + 2, x->dims.end());
  pads = resolvePads(p->auto_pad(), inDims, kernel, strides, dilations, pads);
  if (!windowParam(pads, 2 * spatial, 0, 0))
    return nullptr;

  bool isMax = p->kind() == format::PoolKind::max;
  bool includePad = !isMax && p->count_include_pad();
  dims padsBegin(pads.begin(), pads.begin() + spatial);
  dims padsEnd(pads.begin() + spatial, pads.end());
  for (size_t i = 0; i < spatial; ++i) {
    int64_t span = (kernel[i] - 1) * dilations[i] + 1;
    // A window wholly in the padding: oneDNN refuses or divides by 0.
    if (padsBegin[i] >= span || padsEnd[i] >= span)
      return nullptr;
    int64_t room = inDims[i] + padsBegin[i] + padsEnd[i] - span;
    if (room < 0)
      return nullptr;
    // ONNX's output size: ceil_mode drops a window that would start in the
    // end padding.
    int64_t out = y->dim(2 + i), floorOut = room / strides[i] + 1;
    int64_t expected = floorOut;
    if (p->ceil_mode()) {
      expected = (room + strides[i] - 1) / strides[i] + 1;
      if ((expected - 1) * strides[i] >= inDims[i] + padsBegin[i])
        --expected;
    }
    if (out != expected)
      return nullptr;
    if (out == floorOut)
      continue;
    if (includePad)
      return nullptr;
    padsEnd[i] = (out - 1) * strides[i] + span - inDims[i] - padsBegin[i];
  }
  dnnl::algorithm alg = isMax ? dnnl::algorithm::pooling_max
                        : includePad
                            ? dnnl::algorithm::pooling_avg_include_padding
                            : dnnl::algorithm::pooling_avg_exclude_padding;
  dims d;
  for (int64_t v : dilations)
    d.push_back(v - 1);
  return makePooling(args, alg, *x, *y, kernel, strides, d, padsBegin,
                     padsEnd);
}

KernelPtr makeGlobalPool(const KernelArgs &args) {
  const format::GlobalPoolParams *p = args.op->params_as_GlobalPoolParams();
  if (!p || !hasOperands(args, 1, 1))
    return nullptr;
  const TensorRef *x = args.inputs[0], *y = args.outputs[0];
  if (!isF32(x, 3, 5) || !isF32(y, 3, 5) || y->rank() != x->rank() ||
      y->dim(0) != x->dim(0) || y->dim(1) != x->dim(1))
    return nullptr;
  size_t spatial = x->rank() - 2;
  for (size_t i = 0; i < spatial; ++i)
    if (y->dim(2 + i) != 1)
      return nullptr;
  dims kernel(x->dims.begin() + 2, x->dims.end());
  dims ones(spatial, 1), zeros(spatial, 0);
  dnnl::algorithm alg = p->kind() == format::PoolKind::max
                            ? dnnl::algorithm::pooling_max
                            : dnnl::algorithm::pooling_avg_exclude_padding;
  return makePooling(args, alg, *x, *y, kernel, ones, zeros, zeros, zeros);
}

} // namespace mlc::rt::onednn
