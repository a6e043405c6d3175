//===- FoldQDQ.cpp - A QDQ model's weights as quantized weights -----------===//

#include "mlc/Dialect/NN/NNOps.h"
#include "mlc/Dialect/NN/ShapeUtils.h"
#include "mlc/Transforms/Passes.h"
#include "mlc/Transforms/Quantize.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"

namespace mlc {
#define GEN_PASS_DEF_FOLDQDQPASS
#include "mlc/Transforms/Passes.h.inc"
} // namespace mlc

using namespace mlir;
using namespace mlc;
using namespace mlc::nn;

// DequantizeLinear(int8 constant, constant scale, constant zero point) as
// the linear 8-bit weight it describes; null when it is not one.
static QuantizedConstantOp foldWeight(OpBuilder &builder,
                                      DequantizeLinearOp dequantize) {
  auto input = dequantize.getInput().getDefiningOp<ConstantOp>();
  auto resultType = dyn_cast<RankedTensorType>(dequantize.getType());
  if (!input || dequantize.getBlockSize() != 0 || !resultType ||
      !resultType.hasStaticShape() || !resultType.getElementType().isF32())
    return nullptr;
  auto inputType = cast<ShapedType>(input.getType());
  auto integer = dyn_cast<IntegerType>(inputType.getElementType());
  if (!integer || integer.getWidth() != 8)
    return nullptr;
  std::optional<SmallVector<double>> scales =
      getConstantFloats(dequantize.getScale());
  std::optional<SmallVector<int64_t>> zeroPoints;
  if (dequantize.getZeroPoint()) {
    zeroPoints = getConstantInts(dequantize.getZeroPoint());
    if (!zeroPoints)
      return nullptr;
  }
  if (!scales || scales->empty())
    return nullptr;
  // The attribute's getter is unsigned: a negative axis reads back as its
  // two's complement.
  std::optional<int64_t> axis = normalizeAxis(
      static_cast<int64_t>(dequantize.getAxis()), inputType.getRank());
  if (scales->size() > 1 && !axis)
    return nullptr;
  SmallVector<float> scaleValues(scales->begin(), scales->end());
  SmallVector<int32_t> zeroValues;
  if (zeroPoints && llvm::any_of(*zeroPoints, [](int64_t z) { return z; }))
    zeroValues.assign(zeroPoints->begin(), zeroPoints->end());
  auto bytesType = RankedTensorType::get({inputType.getNumElements()},
                                         builder.getIntegerType(8, false));
  ElementsAttr data;
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(input.getValue()))
    data = DenseResourceElementsAttr::get(bytesType, resource.getRawHandle());
  else
    data = cast<DenseElementsAttr>(input.getValue()).bitcast(builder.getIntegerType(8, false)).reshape(bytesType);
  builder.setInsertionPoint(dequantize);
  return builder.create<QuantizedConstantOp>(
      dequantize.getLoc(), resultType, WeightEncoding::linear, data, 8,
      scales->size() > 1 ? *axis : 0, !integer.isUnsigned(),
      builder.getDenseF32ArrayAttr(scaleValues),
      zeroValues.empty() ? DenseI32ArrayAttr()
                         : builder.getDenseI32ArrayAttr(zeroValues),
      DenseF32ArrayAttr(), 0);
}

LogicalResult mlc::foldQDQ(ModuleOp module, bool dropActivationQDQ,
                           FoldQDQReport *report) {
  FoldQDQReport counts;
  counts.dropped = dropActivationQDQ;
  OpBuilder builder(module.getContext());
  SmallVector<DequantizeLinearOp> dequantizes;
  module.walk([&](DequantizeLinearOp op) { dequantizes.push_back(op); });
  for (DequantizeLinearOp dequantize : dequantizes) {
    if (QuantizedConstantOp weight = foldWeight(builder, dequantize)) {
      dequantize.replaceAllUsesWith(weight.getResult());
      SmallVector<Value> operands(dequantize->getOperands());
      dequantize.erase();
      // The integer weight, its scales and zero points, unless still used.
      for (Value operand : operands)
        if (Operation *def = operand.getDefiningOp();
            def && isa<ConstantOp>(def) && def->use_empty())
          def->erase();
      ++counts.foldedWeights;
      continue;
    }
    auto quantize = dequantize.getInput().getDefiningOp<QuantizeLinearOp>();
    if (!quantize)
      continue;
    ++counts.activationPairs;
    if (!dropActivationQDQ)
      continue;
    dequantize.replaceAllUsesWith(quantize.getInput());
    dequantize.erase();
    if (quantize->use_empty())
      quantize.erase();
  }
  if (report)
    *report = counts;
  return success();
}

namespace {

struct FoldQDQPass : mlc::impl::FoldQDQPassBase<FoldQDQPass> {
  using FoldQDQPassBase::FoldQDQPassBase;
  void runOnOperation() override {
    if (failed(foldQDQ(getOperation(), dropActivationQDQ)))
      signalPassFailure();
  }
};

} // namespace
