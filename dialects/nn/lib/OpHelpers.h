//===- OpHelpers.h - Small helpers of the nn ops' C++ -----------*- C++ -*-===//
//
// Private to dialects/nn/lib: what several op families' shape functions and
// folders share.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_DIALECT_NN_LIB_OPHELPERS_H
#define MLC_DIALECT_NN_LIB_OPHELPERS_H

#include "mlc/Dialect/NN/ShapeUtils.h"

namespace mlc::nn {

/// Pushes a tensor type of `dims` (unranked when nullopt) and succeeds: the
/// last step of most shape functions.
inline mlir::LogicalResult
pushType(llvm::SmallVectorImpl<mlir::Type> &types,
         std::optional<llvm::ArrayRef<int64_t>> dims, mlir::Type elementType) {
  types.push_back(makeTensorType(dims, elementType));
  return mlir::success();
}

/// Whether a folder may build a dense constant of `type`: static, and small
/// (see kMaxFoldedElements).
inline bool isFoldable(mlir::Type type) {
  auto ranked = llvm::dyn_cast<mlir::RankedTensorType>(type);
  return ranked && ranked.hasStaticShape() &&
         ranked.getNumElements() <= kMaxFoldedElements;
}

} // namespace mlc::nn

#endif // MLC_DIALECT_NN_LIB_OPHELPERS_H
