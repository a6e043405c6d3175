//===- QuantOps.cpp - quantize_linear and dequantize_linear ---------------===//

#include "mlc/Dialect/NN/NNOps.h"
#include "mlc/Dialect/NN/ShapeUtils.h"

using namespace mlir;
using namespace mlc::nn;

// Checks that the scale (and zero point) is a scalar, a vector along `axis`,
// or blocks of `blockSize` along `axis`, for an input of type `input`.
static LogicalResult checkQuantParams(Operation *op, Value input, Value scale,
                                      Value zeroPoint, int64_t axis,
                                      int64_t blockSize) {
  auto in = getDims(input.getType());
  auto s = getDims(scale.getType());
  if (zeroPoint) {
    auto z = getDims(zeroPoint.getType());
    if (s && z && *s != *z)
      return op->emitOpError() << "zero_point " << formatDims(*z)
                               << " does not match scale " << formatDims(*s);
  }
  if (!in || !s)
    return success();
  bool scalar = s->empty() || (s->size() == 1 && (*s)[0] == 1);
  if (scalar)
    return success();
  auto normalized = normalizeAxis(axis, in->size());
  if (!normalized)
    return op->emitOpError() << "axis " << axis << " is out of range for "
                             << formatDims(*in);
  if (blockSize > 0) {
    if (s->size() != in->size())
      return op->emitOpError() << "blocked scale " << formatDims(*s)
                               << " must have the input's rank "
                               << in->size();
    return success();
  }
  int64_t channels = (*in)[*normalized];
  if (s->size() != 1 || ((*s)[0] != kDynamic && channels != kDynamic &&
                         (*s)[0] != channels))
    return op->emitOpError() << "scale " << formatDims(*s)
                             << " must be a scalar or have " << channels
                             << " values along axis " << *normalized;
  return success();
}

LogicalResult QuantizeLinearOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (failed(checkQuantParams(*this, getInput(), getScale(), getZeroPoint(),
                              getAxis(), getBlockSize())))
    return failure();
  // Without a zero point the result is uint8, as in ONNX.
  Type elementType = getZeroPoint()
                         ? getElementType(getZeroPoint().getType())
                         : IntegerType::get(getContext(), 8,
                                            IntegerType::Unsigned);
  types.push_back(makeTensorType(getDims(getInput().getType()), elementType));
  return success();
}

LogicalResult
DequantizeLinearOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (failed(checkQuantParams(*this, getInput(), getScale(), getZeroPoint(),
                              getAxis(), getBlockSize())))
    return failure();
  if (getZeroPoint() && getElementType(getZeroPoint().getType()) !=
                            getElementType(getInput().getType()))
    return emitOpError() << "zero_point " << getZeroPoint().getType()
                         << " does not match the input's element type";
  types.push_back(makeTensorType(getDims(getInput().getType()),
                                 getElementType(getScale().getType())));
  return success();
}
