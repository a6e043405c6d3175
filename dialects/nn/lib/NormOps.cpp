//===- NormOps.cpp - Shape functions of batch_norm and instance_norm ------===//

#include "mlc/Dialect/NN/NNOps.h"
#include "mlc/Dialect/NN/ShapeUtils.h"

using namespace mlir;
using namespace mlc::nn;

// Checks that each per-channel parameter is 1-D with as many values as the
// input has channels, and that the input has at least `minRank` dims.
static LogicalResult checkChannelParams(Operation *op, Value input,
                                        ValueRange params,
                                        ArrayRef<StringRef> names,
                                        int64_t minRank) {
  auto in = getDims(input.getType());
  if (in && int64_t(in->size()) < minRank)
    return op->emitOpError() << "needs an input of rank " << minRank
                             << " or more, got " << formatDims(*in);
  int64_t channels = in ? (*in)[1] : kDynamic;
  for (auto [param, name] : llvm::zip(params, names)) {
    auto dims = getDims(param.getType());
    if (!dims)
      continue;
    if (dims->size() != 1)
      return op->emitOpError() << name << " must be 1-D, got "
                               << formatDims(*dims);
    if (channels != kDynamic && (*dims)[0] != kDynamic &&
        (*dims)[0] != channels)
      return op->emitOpError() << name << " has " << (*dims)[0]
                               << " values for " << channels << " channels";
  }
  return success();
}

LogicalResult BatchNormOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (failed(checkChannelParams(
          *this, getInput(),
          {getScale(), getBias(), getMean(), getVariance()},
          {"scale", "bias", "mean", "variance"}, /*minRank=*/2)))
    return failure();
  types.push_back(getInput().getType());
  return success();
}

LogicalResult InstanceNormOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (failed(checkChannelParams(*this, getInput(), {getScale(), getBias()},
                                {"scale", "bias"}, /*minRank=*/3)))
    return failure();
  types.push_back(getInput().getType());
  return success();
}
