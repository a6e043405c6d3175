//===- NormOps.cpp - Shape functions of batch_norm and instance_norm ------===//

#include "OpHelpers.h"
#include "mlc/Dialect/NN/NNOps.h"

using namespace mlir;
using namespace mlc::nn;

// Checks that each per-channel parameter is 1-D with as many values as the
// input has channels, and that the input has at least `minRank` dims; the
// result is the input's shape.
static LogicalResult inferNorm(ShapeContext &context, Value input,
                               ValueRange params, ArrayRef<StringRef> names,
                               int64_t minRank) {
  auto in = context.getDims(input);
  if (in && int64_t(in->size()) < minRank)
    return context.emitError() << "needs an input of rank " << minRank
                               << " or more, got " << context.format(*in);
  Dim channels = in ? (*in)[1] : Dim();
  for (auto [param, name] : llvm::zip(params, names)) {
    auto dims = context.getDims(param);
    if (!dims)
      continue;
    if (dims->size() != 1)
      return context.emitError() << name << " must be 1-D, got "
                                 << context.format(*dims);
    if (failed(context.requireEqual((*dims)[0], channels, [&] {
          return name.str() + " has " + context.format((*dims)[0]) +
                 " values for " + context.format(channels) + " channels";
        })))
      return failure();
  }
  return context.setResult(0, in, context.getElementType(input));
}

LogicalResult BatchNormOp::inferShapes(ShapeContext &context) {
  return inferNorm(context, getInput(),
                   {getScale(), getBias(), getMean(), getVariance()},
                   {"scale", "bias", "mean", "variance"}, /*minRank=*/2);
}

LogicalResult InstanceNormOp::inferShapes(ShapeContext &context) {
  return inferNorm(context, getInput(), {getScale(), getBias()},
                   {"scale", "bias"}, /*minRank=*/3);
}
