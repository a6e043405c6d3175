//===- Kernel.cpp - What every kernel shares ------------------------------===//

#include "Kernel.h"

#include <algorithm>
#include <cmath>

namespace mlc::rt {

const char *opTypeName(const format::Op &op) {
  const char *name = format::EnumNameOpParams(op.params_type());
  static const std::string suffix = "Params";
  // The union's names are "<Type>Params"; strip the suffix into a static
  // table once.
  static std::vector<std::string> names = [] {
    std::vector<std::string> result;
    for (const char *const *n = format::EnumNamesOpParams(); *n; ++n) {
      std::string s = *n;
      if (s.size() > suffix.size() &&
          s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0)
        s.resize(s.size() - suffix.size());
      result.push_back(s);
    }
    return result;
  }();
  size_t index = static_cast<size_t>(op.params_type());
  return index < names.size() ? names[index].c_str() : name;
}

bool TensorRef::layoutNeutral() const {
  if (rank() < 3 || rank() > 5 || dims[1] == 1 || count() == 0)
    return true;
  int64_t spatial = 1;
  for (size_t i = 2; i < rank(); ++i)
    spatial *= dims[i];
  return spatial == 1;
}

std::string KernelArgs::describe() const {
  if (!op)
    return "a copy between layouts";
  std::string text = opTypeName(*op);
  if (op->name() && op->name()->size())
    text += " '" + op->name()->str() + "'";
  return text;
}

KernelArgs convChainArgs(const std::vector<KernelArgs> &stages) {
  KernelArgs args = stages.front();
  args.inputs = {stages.front().input(0), stages.back().input(3)};
  args.outputs = stages.back().outputs;
  return args;
}

KernelArgs concatNormArgs(const KernelArgs &concat, const KernelArgs &norm) {
  KernelArgs args = concat;
  args.outputs = norm.outputs;
  return args;
}

KernelArgs convPoolArgs(const KernelArgs &conv, const KernelArgs &pool) {
  KernelArgs args = conv;
  args.outputs.push_back(pool.outputs[0]);
  return args;
}

KernelArgs scaledConvArgs(const KernelArgs &mul, const KernelArgs &conv) {
  KernelArgs args = conv;
  const TensorRef *product = mul.outputs[0];
  bool tensorFirst = mul.inputs[0]->dims == product->dims;
  args.inputs.resize(4, nullptr);
  args.inputs[0] = mul.inputs[tensorFirst ? 0 : 1];
  args.inputs.push_back(mul.inputs[tensorFirst ? 1 : 0]);
  return args;
}

void KernelArgs::fail(const std::string &message) const {
  throw Error(describe() + ": " + message);
}

// Comparisons are false for NaN: each form below passes a NaN through, as
// ONNX's max(0, x) and friends do.
static float clamp(float x, float lo, float hi) {
  return x < lo ? lo : x > hi ? hi : x;
}

float applyActivation(const format::Activation &activation, float x) {
  float alpha = activation.alpha(), beta = activation.beta();
  switch (activation.kind()) {
  case format::ActivationKind::none:
    return x;
  case format::ActivationKind::relu:
    return x < 0 ? 0 : x;
  case format::ActivationKind::leaky_relu:
    return x < 0 ? alpha * x : x;
  case format::ActivationKind::clip:
    return clamp(x, alpha, beta);
  case format::ActivationKind::sigmoid:
    return 1 / (1 + std::exp(-x));
  case format::ActivationKind::tanh:
    return std::tanh(x);
  case format::ActivationKind::hard_sigmoid:
    return clamp(alpha * x + beta, 0, 1);
  case format::ActivationKind::hard_swish:
    return x * clamp(x / 6 + 0.5f, 0, 1);
  case format::ActivationKind::elu:
    return x < 0 ? alpha * (std::exp(x) - 1) : x;
  case format::ActivationKind::softplus:
    // log(1 + e^x) without overflow for large x.
    return std::log1p(std::exp(-std::fabs(x))) + (x < 0 ? 0 : x);
  case format::ActivationKind::swish:
    return x / (1 + std::exp(-x));
  case format::ActivationKind::gelu:
    return 0.5f * x * (1 + std::erf(x * 0.70710678118654752f));
  }
  return x;
}

std::vector<int64_t> resolvePads(format::AutoPad autoPad,
                                 const std::vector<int64_t> &inputDims,
                                 const std::vector<int64_t> &kernel,
                                 const std::vector<int64_t> &strides,
                                 const std::vector<int64_t> &dilations,
                                 const std::vector<int64_t> &pads) {
  size_t n = inputDims.size();
  std::vector<int64_t> result(2 * n, 0);
  if (autoPad == format::AutoPad::notset) {
    if (pads.size() == 2 * n)
      result = pads;
    return result;
  }
  if (autoPad == format::AutoPad::valid)
    return result;
  for (size_t i = 0; i < n; ++i) {
    int64_t stride = i < strides.size() ? strides[i] : 1;
    int64_t dilation = i < dilations.size() ? dilations[i] : 1;
    int64_t out = (inputDims[i] + stride - 1) / stride;
    int64_t total = std::max<int64_t>(
        0, (out - 1) * stride + (kernel[i] - 1) * dilation + 1 - inputDims[i]);
    int64_t small = total / 2, large = total - small;
    bool upper = autoPad == format::AutoPad::same_upper;
    result[i] = upper ? small : large;
    result[n + i] = upper ? large : small;
  }
  return result;
}

} // namespace mlc::rt
