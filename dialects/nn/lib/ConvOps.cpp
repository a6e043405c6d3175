//===- ConvOps.cpp - Shape functions of conv and conv_transpose -----------===//

#include "OpHelpers.h"
#include "mlc/Dialect/NN/NNOps.h"

using namespace mlir;
using namespace mlc::nn;

namespace {
// What conv and conv_transpose share: the operands' dims and the kernel.
struct ConvOperands {
  int64_t rank = -1; // -1 when neither input nor weight is ranked
  Dims input, weight;
  SmallVector<int64_t> kernel; // kDynamic where not known
};
} // namespace

static FailureOr<ConvOperands>
checkConvOperands(ShapeContext &context, Value input, Value weight, Value bias,
                  ArrayRef<int64_t> kernelShape, int64_t outChannelsDim,
                  int64_t biasMultiplier) {
  ConvOperands c;
  auto in = context.getDims(input), w = context.getDims(weight);
  if (!in && !w)
    return c;
  c.rank = in ? in->size() : w->size();
  if (c.rank < 3)
    return context.emitError()
           << "needs an input of rank 3 or more (N x C x spatial dims), got "
              "rank "
           << c.rank;
  c.input = in ? *in : Dims(c.rank);
  c.weight = w ? *w : Dims(c.rank);
  if (int64_t(c.weight.size()) != c.rank)
    return context.emitError() << "weight of rank " << c.weight.size()
                               << " does not match the input of rank "
                               << c.rank;
  for (Dim k : ArrayRef<Dim>(c.weight).drop_front(2))
    c.kernel.push_back(k.getValueOrDynamic());
  if (!kernelShape.empty()) {
    if (int64_t(kernelShape.size()) != c.rank - 2)
      return context.emitError() << "kernel_shape has " << kernelShape.size()
                                 << " dims for " << c.rank - 2
                                 << " spatial dims";
    for (auto [k, fromWeight] : llvm::zip(kernelShape, c.kernel))
      if (fromWeight != kDynamic && k != fromWeight)
        return context.emitError()
               << "kernel_shape " << formatDims(kernelShape)
               << " does not match the weight's " << formatDims(c.kernel);
    c.kernel.assign(kernelShape.begin(), kernelShape.end());
  }
  if (bias) {
    auto b = context.getDims(bias);
    if (b && b->size() != 1)
      return context.emitError() << "bias must be 1-D, got rank " << b->size();
    Dim outChannels = c.weight[outChannelsDim] * biasMultiplier;
    if (b && failed(context.requireEqual((*b)[0], outChannels, [&] {
          return "bias has " + context.format((*b)[0]) + " values for " +
                 context.format(outChannels) + " output channels";
        })))
      return failure();
  }
  return c;
}

LogicalResult ConvOp::inferShapes(ShapeContext &context) {
  Type elementType = context.getElementType(getInput());
  int64_t group = getGroup();
  if (group < 1)
    return emitOpError() << "group must be positive, got " << group;
  FailureOr<ConvOperands> c =
      checkConvOperands(context, getInput(), getWeight(), getBias(),
                        getKernelShape(), /*outChannelsDim=*/0, 1);
  if (failed(c))
    return failure();
  if (c->rank < 0)
    return context.setResult(0, std::nullopt, elementType);
  Dim channels = c->input[1], perGroup = c->weight[1],
      outChannels = c->weight[0];
  if (failed(context.requireEqual(channels, perGroup * group, [&] {
        return "input has " + context.format(channels) +
               " channels but the weight takes " + context.format(perGroup) +
               " per group x " + std::to_string(group) + " groups";
      })))
    return failure();
  if (failed(context.requireDivisible(outChannels, group, [&] {
        return context.format(outChannels) +
               " output channels do not divide into " + std::to_string(group) +
               " groups";
      })))
    return failure();
  FailureOr<Window> window =
      makeWindow(*this, c->kernel, getStrides(), getDilations(), getPads(),
                 getAutoPad(), /*ceilMode=*/false);
  if (failed(window))
    return failure();
  FailureOr<Dims> spatial = inferWindowOutput(
      context, ArrayRef<Dim>(c->input).drop_front(2), *window);
  if (failed(spatial))
    return failure();
  Dims dims = {c->input[0], outChannels};
  dims.append(spatial->begin(), spatial->end());
  return context.setResult(0, ArrayRef<Dim>(dims), elementType);
}

LogicalResult ConvTransposeOp::inferShapes(ShapeContext &context) {
  Type elementType = context.getElementType(getInput());
  int64_t group = getGroup();
  if (group < 1)
    return emitOpError() << "group must be positive, got " << group;
  FailureOr<ConvOperands> c =
      checkConvOperands(context, getInput(), getWeight(), getBias(),
                        getKernelShape(), /*outChannelsDim=*/1, group);
  if (failed(c))
    return failure();
  if (c->rank < 0)
    return context.setResult(0, std::nullopt, elementType);
  int64_t n = c->rank - 2;
  if (failed(context.requireEqual(c->input[1], c->weight[0], [&] {
        return "input has " + context.format(c->input[1]) +
               " channels but the weight takes " + context.format(c->weight[0]);
      })))
    return failure();
  FailureOr<Window> window =
      makeWindow(*this, c->kernel, getStrides(), getDilations(), getPads(),
                 getAutoPad(), /*ceilMode=*/false);
  if (failed(window))
    return failure();
  ArrayRef<int64_t> outputPadding = getOutputPadding();
  if (!outputPadding.empty() && int64_t(outputPadding.size()) != n)
    return emitOpError() << "output_padding has " << outputPadding.size()
                         << " values for " << n << " spatial dims";
  ArrayRef<int64_t> outputShape = getOutputShape();
  if (int64_t(outputShape.size()) == n + 2)
    outputShape = outputShape.drop_front(2);
  if (!outputShape.empty() && int64_t(outputShape.size()) != n)
    return emitOpError() << "output_shape has " << getOutputShape().size()
                         << " values for " << n << " spatial dims";

  Dims dims = {c->input[0], c->weight[1] * group};
  for (int64_t i = 0; i < n; ++i) {
    if (!outputShape.empty()) {
      dims.push_back(context.dim(outputShape[i]));
      continue;
    }
    Dim in = c->input[i + 2];
    int64_t k = c->kernel[i], stride = window->strides[i];
    if (k == kDynamic) {
      dims.push_back(Dim());
      continue;
    }
    if (window->autoPad == AutoPad::same_upper ||
        window->autoPad == AutoPad::same_lower) {
      dims.push_back(in * stride);
      continue;
    }
    bool valid = window->autoPad == AutoPad::valid;
    int64_t pads = valid ? 0 : window->pads[i] + window->pads[i + n];
    int64_t extra = outputPadding.empty() ? 0 : outputPadding[i];
    Dim size = (in - 1) * stride +
               (extra + (k - 1) * window->dilations[i] + 1 - pads);
    if (failed(context.requireAtLeast(size, 1, [&] {
          return "pads remove the whole output of spatial dim " +
                 std::to_string(i);
        })))
      return failure();
    dims.push_back(size);
  }
  return context.setResult(0, ArrayRef<Dim>(dims), elementType);
}
