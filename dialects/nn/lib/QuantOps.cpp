//===- QuantOps.cpp - quantize_linear, dequantize_linear, quantized_constant ===//

#include "OpHelpers.h"
#include "mlc/Dialect/NN/NNOps.h"
#include "mlc/Dialect/NN/ShapeUtils.h"
#include "mlc/Runtime/WeightEncoding.h"

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

//===----------------------------------------------------------------------===//
// quantized_constant
//===----------------------------------------------------------------------===//

// The op's encoding as the runtime's decoder sees it (Runtime/WeightEncoding.h
// is the one definition of the encodings, shared with the runtime).
static mlc::rt::EncodedWeight getEncodedView(QuantizedConstantOp op) {
  mlc::rt::EncodedWeight view;
  view.encoding = static_cast<mlc::rt::WeightEncoding>(op.getEncoding());
  view.bits = op.getBits();
  view.axis = op.getAxis();
  view.isSigned = op.getSignedValues();
  if (auto scales = op.getScales()) {
    view.scales = scales->data();
    view.scaleCount = scales->size();
  }
  if (auto zeroPoints = op.getZeroPoints()) {
    view.zeroPoints = zeroPoints->data();
    view.zeroPointCount = zeroPoints->size();
  }
  if (auto lut = op.getLut()) {
    view.lut = lut->data();
    view.lutCount = lut->size();
  }
  view.groupChannels = op.getGroupChannels();
  ArrayRef<char> bytes = getRawData(op.getData());
  view.bytes = reinterpret_cast<const uint8_t *>(bytes.data());
  view.byteCount = bytes.size();
  return view;
}

LogicalResult QuantizedConstantOp::verify() {
  auto type = dyn_cast<RankedTensorType>(getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isF32())
    return emitOpError() << "result must be a float32 tensor of known shape";
  auto dataType = cast<ShapedType>(getData().getType());
  if (dataType.getRank() != 1 || !dataType.getElementType().isInteger(8))
    return emitOpError() << "data must be a vector of bytes";
  mlc::rt::EncodedWeight view = getEncodedView(*this);
  if (!view.bytes && dataType.getNumElements() > 0)
    return success(); // a blob the file did not define: checked where used
  std::string problem = mlc::rt::checkEncodedWeight(
      view, std::vector<int64_t>(type.getShape().begin(), type.getShape().end()));
  if (!problem.empty())
    return emitOpError() << problem;
  return success();
}

LogicalResult QuantizedConstantOp::inferShapes(ShapeContext &context) {
  auto type = cast<ShapedType>(getType());
  return context.setResult(0, toDims(getContext(), type.getShape()),
                           type.getElementType());
}

std::optional<std::vector<float>> QuantizedConstantOp::decode() {
  mlc::rt::EncodedWeight view = getEncodedView(*this);
  auto type = cast<ShapedType>(getType());
  std::vector<int64_t> shape(type.getShape().begin(), type.getShape().end());
  if (!mlc::rt::checkEncodedWeight(view, shape).empty())
    return std::nullopt;
  std::vector<float> values(type.getNumElements());
  mlc::rt::decodeWeight(view, shape, values.data());
  return values;
}
