//===- Common.cpp - What the oneDNN kernels share -------------------------===//

#include "OneDNN.h"

#include <cmath>
#include <cstring>

namespace mlc::rt::onednn {

dnnl::engine &engine() {
  static dnnl::engine instance(dnnl::engine::kind::cpu, 0);
  return instance;
}

dnnl::stream &stream() {
  static dnnl::stream instance(engine());
  return instance;
}

bool isF32(const TensorRef *t, size_t minRank, size_t maxRank) {
  if (!t || t->type != ElementType::f32 || !t->data || t->rank() < minRank ||
      t->rank() > maxRank)
    return false;
  int64_t count = 1;
  for (int64_t d : t->dims) {
    if (d < 1 || d >= kMaxDim)
      return false;
    count *= d;
    if (count >= (int64_t(1) << 40))
      return false;
  }
  return true;
}

bool hasOperands(const KernelArgs &args, size_t required, size_t total) {
  if (args.inputs.size() < required || args.inputs.size() > total ||
      args.outputs.size() != 1 || !args.outputs[0])
    return false;
  for (size_t i = 0; i < required; ++i)
    if (!args.inputs[i])
      return false;
  return true;
}

bool windowParam(std::vector<int64_t> &values, size_t spatial, int64_t fill,
                 int64_t min) {
  if (values.empty())
    values.assign(spatial, fill);
  if (values.size() != spatial)
    return false;
  for (int64_t v : values)
    if (v < min || v >= kMaxDim)
      return false;
  return true;
}

dnnl::memory::desc plainDesc(const dims &d) {
  dims strides(d.size(), 1);
  for (size_t i = d.size(); i-- > 1;)
    strides[i - 1] = strides[i] * d[i];
  return dnnl::memory::desc(d, dnnl::memory::data_type::f32, strides);
}

dnnl::memory userMemory(const TensorRef &t) { return userMemory(t, t.dims); }

dnnl::memory userMemory(const TensorRef &t, const dims &d) {
  return dnnl::memory(plainDesc(d), engine(), t.data);
}

bool appendActivation(dnnl::post_ops &ops, const format::Activation *act) {
  if (!act)
    return true;
  using alg = dnnl::algorithm;
  float alpha = act->alpha(), beta = act->beta();
  switch (act->kind()) {
  case format::ActivationKind::none:
    return true;
  case format::ActivationKind::relu:
    ops.append_eltwise(1.0f, alg::eltwise_relu, 0.0f, 0.0f);
    return true;
  case format::ActivationKind::leaky_relu:
    // x >= 0 ? x : alpha x; at 0 both sides give 0.
    if (!std::isfinite(alpha))
      return false;
    ops.append_eltwise(1.0f, alg::eltwise_relu, alpha, 0.0f);
    return true;
  case format::ActivationKind::clip:
    // oneDNN clips x <= alpha to alpha first; min(max(x, a), b) gives b
    // everywhere when a > b.
    if (std::isnan(alpha) || std::isnan(beta) || alpha > beta)
      return false;
    ops.append_eltwise(1.0f, alg::eltwise_clip, alpha, beta);
    return true;
  case format::ActivationKind::sigmoid:
    ops.append_eltwise(1.0f, alg::eltwise_logistic, 0.0f, 0.0f);
    return true;
  case format::ActivationKind::tanh:
    ops.append_eltwise(1.0f, alg::eltwise_tanh, 0.0f, 0.0f);
    return true;
  case format::ActivationKind::hard_sigmoid:
    // max(0, min(1, alpha x + beta)): a linear then a clip.
    if (!std::isfinite(alpha) || !std::isfinite(beta))
      return false;
    ops.append_eltwise(1.0f, alg::eltwise_linear, alpha, beta);
    ops.append_eltwise(1.0f, alg::eltwise_clip, 0.0f, 1.0f);
    return true;
  case format::ActivationKind::hard_swish:
    // oneDNN 2.x: x * min(max(x + 3, 0), 6) / 6, ONNX's fixed alpha 1/6.
    ops.append_eltwise(1.0f, alg::eltwise_hardswish, 0.0f, 0.0f);
    return true;
  case format::ActivationKind::elu:
    if (!std::isfinite(alpha))
      return false;
    ops.append_eltwise(1.0f, alg::eltwise_elu, alpha, 0.0f);
    return true;
  case format::ActivationKind::softplus:
    // oneDNN 2.x soft_relu: log(1 + exp(x)).
    ops.append_eltwise(1.0f, alg::eltwise_soft_relu, 0.0f, 0.0f);
    return true;
  }
  return false;
}

dnnl::memory reorderedTo(const dnnl::memory &memory,
                         const dnnl::memory::desc &desc) {
  if (memory.get_desc() == desc)
    return memory;
  dnnl::memory source = memory, result(desc, engine());
  dnnl::reorder(source, result).execute(stream(), source, result);
  stream().wait();
  return result;
}

void PrimitiveKernel::run(const KernelArgs &args) {
  try {
    if (sumBytes && sumFrom != sumTo)
      std::memmove(sumTo, sumFrom, sumBytes);
    for (auto &[previous, previousArguments] : before)
      previous.execute(stream(), previousArguments);
    primitive.execute(stream(), arguments);
    for (auto &[next, nextArguments] : then)
      next.execute(stream(), nextArguments);
    stream().wait();
  } catch (const dnnl::error &e) {
    args.fail(std::string("oneDNN: ") + e.what());
  }
}

} // namespace mlc::rt::onednn
