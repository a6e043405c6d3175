//===- ConvOps.cpp - Shape functions of conv and conv_transpose -----------===//

#include "mlc/Dialect/NN/NNOps.h"
#include "mlc/Dialect/NN/ShapeUtils.h"

using namespace mlir;
using namespace mlc::nn;

namespace {
// What conv and conv_transpose share: the input and weight ranks, the
// kernel, and the bias.
struct ConvOperands {
  int64_t rank = -1; // -1 when neither input nor weight is ranked
  SmallVector<int64_t> input, weight, kernel;
};
} // namespace

static FailureOr<ConvOperands> checkConvOperands(Operation *op, Value input,
                                                 Value weight, Value bias,
                                                 ArrayRef<int64_t> kernelShape,
                                                 int64_t outChannelsDim,
                                                 int64_t biasMultiplier) {
  ConvOperands c;
  auto in = getDims(input.getType()), w = getDims(weight.getType());
  if (!in && !w)
    return c;
  c.rank = in ? in->size() : w->size();
  if (c.rank < 3)
    return op->emitOpError() << "needs an input of rank 3 or more (N x C x "
                                "spatial dims), got rank "
                             << c.rank;
  c.input = in ? *in : SmallVector<int64_t>(c.rank, kDynamic);
  c.weight = w ? *w : SmallVector<int64_t>(c.rank, kDynamic);
  if (int64_t(c.weight.size()) != c.rank)
    return op->emitOpError() << "weight of rank " << c.weight.size()
                             << " does not match the input of rank " << c.rank;
  c.kernel.assign(c.weight.begin() + 2, c.weight.end());
  if (!kernelShape.empty()) {
    if (int64_t(kernelShape.size()) != c.rank - 2)
      return op->emitOpError() << "kernel_shape has " << kernelShape.size()
                               << " dims for " << c.rank - 2 << " spatial dims";
    for (auto [k, fromWeight] : llvm::zip(kernelShape, c.kernel))
      if (fromWeight != kDynamic && k != fromWeight)
        return op->emitOpError() << "kernel_shape " << formatDims(kernelShape)
                                 << " does not match the weight's "
                                 << formatDims(c.kernel);
    c.kernel.assign(kernelShape.begin(), kernelShape.end());
  }
  if (bias) {
    auto b = getDims(bias.getType());
    int64_t outChannels = c.weight[outChannelsDim];
    if (b && b->size() != 1)
      return op->emitOpError() << "bias must be 1-D, got rank " << b->size();
    if (b && (*b)[0] != kDynamic && outChannels != kDynamic &&
        (*b)[0] != outChannels * biasMultiplier)
      return op->emitOpError()
             << "bias has " << (*b)[0] << " values for "
             << outChannels * biasMultiplier << " output channels";
  }
  return c;
}

LogicalResult ConvOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  Type elementType = getElementType(getInput().getType());
  int64_t group = getGroup();
  if (group < 1)
    return emitOpError() << "group must be positive, got " << group;
  FailureOr<ConvOperands> c =
      checkConvOperands(*this, getInput(), getWeight(), getBias(),
                        getKernelShape(), /*outChannelsDim=*/0, 1);
  if (failed(c))
    return failure();
  if (c->rank < 0) {
    types.push_back(makeTensorType(std::nullopt, elementType));
    return success();
  }
  int64_t channels = c->input[1], perGroup = c->weight[1],
          outChannels = c->weight[0];
  if (channels != kDynamic && perGroup != kDynamic &&
      channels != perGroup * group)
    return emitOpError() << "input has " << channels
                         << " channels but the weight takes " << perGroup
                         << " per group x " << group << " groups";
  if (outChannels != kDynamic && outChannels % group != 0)
    return emitOpError() << outChannels
                         << " output channels do not divide into " << group
                         << " groups";
  FailureOr<Window> window =
      makeWindow(*this, c->kernel, getStrides(), getDilations(), getPads(),
                 getAutoPad(), /*ceilMode=*/false);
  if (failed(window))
    return failure();
  FailureOr<SmallVector<int64_t>> spatial = inferWindowOutput(
      *this, ArrayRef<int64_t>(c->input).drop_front(2), *window);
  if (failed(spatial))
    return failure();
  SmallVector<int64_t> dims = {c->input[0], outChannels};
  dims.append(spatial->begin(), spatial->end());
  types.push_back(makeTensorType(ArrayRef<int64_t>(dims), elementType));
  return success();
}

LogicalResult ConvTransposeOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  Type elementType = getElementType(getInput().getType());
  int64_t group = getGroup();
  if (group < 1)
    return emitOpError() << "group must be positive, got " << group;
  FailureOr<ConvOperands> c =
      checkConvOperands(*this, getInput(), getWeight(), getBias(),
                        getKernelShape(), /*outChannelsDim=*/1, group);
  if (failed(c))
    return failure();
  if (c->rank < 0) {
    types.push_back(makeTensorType(std::nullopt, elementType));
    return success();
  }
  int64_t n = c->rank - 2;
  if (c->input[1] != kDynamic && c->weight[0] != kDynamic &&
      c->input[1] != c->weight[0])
    return emitOpError() << "input has " << c->input[1]
                         << " channels but the weight takes " << c->weight[0];
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

  SmallVector<int64_t> dims = {c->input[0],
                               c->weight[1] == kDynamic ? kDynamic
                                                        : c->weight[1] * group};
  for (int64_t i = 0; i < n; ++i) {
    if (!outputShape.empty()) {
      dims.push_back(outputShape[i]);
      continue;
    }
    int64_t in = c->input[i + 2], k = c->kernel[i];
    if (in == kDynamic || k == kDynamic) {
      dims.push_back(kDynamic);
      continue;
    }
    int64_t stride = window->strides[i];
    if (window->autoPad == AutoPad::same_upper ||
        window->autoPad == AutoPad::same_lower) {
      dims.push_back(in * stride);
      continue;
    }
    bool valid = window->autoPad == AutoPad::valid;
    int64_t pads = valid ? 0 : window->pads[i] + window->pads[i + n];
    int64_t extra = outputPadding.empty() ? 0 : outputPadding[i];
    int64_t size = stride * (in - 1) + extra +
                   (k - 1) * window->dilations[i] + 1 - pads;
    if (size < 1)
      return emitOpError() << "pads remove the whole output of spatial dim "
                           << i;
    dims.push_back(size);
  }
  types.push_back(makeTensorType(ArrayRef<int64_t>(dims), elementType));
  return success();
}
