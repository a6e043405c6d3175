//===- Weights.cpp - Reading and making float32 weights in rewrites -------===//

#include "Weights.h"

#include "mlc/Dialect/NN/NNOps.h"
#include "mlc/Dialect/NN/ShapeUtils.h"

#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstring>

using namespace mlir;

namespace mlc {

std::optional<SmallVector<float>> getFloat32s(Value value) {
  auto constant = value ? value.getDefiningOp<nn::ConstantOp>() : nn::ConstantOp();
  if (!constant || !constant.getType().getElementType().isF32())
    return std::nullopt;
  ElementsAttr attr = constant.getValue();
  SmallVector<float> values(attr.getNumElements());
  if (nn::getRawSize(attr) != values.size() * sizeof(float))
    return std::nullopt;
  size_t at = 0;
  nn::writeRawData(attr, [&](ArrayRef<char> piece) {
    std::memcpy(reinterpret_cast<char *>(values.data()) + at, piece.data(),
                piece.size());
    at += piece.size();
  });
  return values;
}

Value makeWeight(PatternRewriter &rewriter, Location loc, RankedTensorType type,
                 ArrayRef<float> values, StringRef name) {
  ArrayRef<char> bytes(reinterpret_cast<const char *>(values.data()),
                       values.size() * sizeof(float));
  auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, 64);
  auto attr = DenseResourceElementsAttr::get(type, name, std::move(blob));
  return rewriter.create<nn::ConstantOp>(loc, type, attr);
}

} // namespace mlc
