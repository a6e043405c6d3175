//===- QuantOps.cpp - quantize_linear and dequantize_linear ---------------===//

#include "OpHelpers.h"
#include "mlc/Dialect/NN/NNOps.h"

using namespace mlir;
using namespace mlc::nn;

// Checks that the scale (and zero point) is a scalar, a vector along `axis`,
// or blocks of `blockSize` along `axis`, for an input of `in` dims.
static LogicalResult checkQuantParams(ShapeContext &context, Value input,
                                      Value scale, Value zeroPoint,
                                      int64_t axis, int64_t blockSize) {
  auto in = context.getDims(input);
  auto s = getDims(scale.getType());
  if (zeroPoint) {
    auto z = getDims(zeroPoint.getType());
    if (s && z && *s != *z)
      return context.emitError() << "zero_point " << formatDims(*z)
                                 << " does not match scale " << formatDims(*s);
  }
  if (!in || !s)
    return success();
  bool scalar = s->empty() || (s->size() == 1 && (*s)[0] == 1);
  if (scalar)
    return success();
  FailureOr<int64_t> normalized = resolveAxis(context, axis, *in);
  if (failed(normalized))
    return failure();
  if (blockSize > 0) {
    if (s->size() != in->size())
      return context.emitError() << "blocked scale " << formatDims(*s)
                                 << " must have the input's rank "
                                 << in->size();
    return success();
  }
  Dim channels = (*in)[*normalized];
  auto reason = [&] {
    return "scale " + formatDims(*s) + " must be a scalar or have " +
           context.format(channels) + " values along axis " +
           std::to_string(*normalized);
  };
  if (s->size() != 1)
    return context.emitError() << reason();
  return context.requireEqual(context.dim((*s)[0]), channels, reason);
}

LogicalResult QuantizeLinearOp::inferShapes(ShapeContext &context) {
  if (failed(checkQuantParams(context, getInput(), getScale(), getZeroPoint(),
                              getAxis(), getBlockSize())))
    return failure();
  // Without a zero point the result is uint8, as in ONNX.
  Type elementType = getZeroPoint()
                         ? context.getElementType(getZeroPoint())
                         : IntegerType::get(getContext(), 8,
                                            IntegerType::Unsigned);
  return context.setResult(0, context.getDims(getInput()), elementType);
}

LogicalResult DequantizeLinearOp::inferShapes(ShapeContext &context) {
  if (failed(checkQuantParams(context, getInput(), getScale(), getZeroPoint(),
                              getAxis(), getBlockSize())))
    return failure();
  if (getZeroPoint() && context.getElementType(getZeroPoint()) !=
                            context.getElementType(getInput()))
    return emitOpError() << "zero_point " << getZeroPoint().getType()
                         << " does not match the input's element type";
  return context.setResult(0, context.getDims(getInput()),
                           context.getElementType(getScale()));
}
