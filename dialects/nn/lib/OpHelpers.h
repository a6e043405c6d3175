//===- OpHelpers.h - What the nn ops' shape functions share -----*- C++ -*-===//
//
// Private to dialects/nn/lib: broadcasting, windows (conv and pool), axes,
// and the size limit of folders.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_DIALECT_NN_LIB_OPHELPERS_H
#define MLC_DIALECT_NN_LIB_OPHELPERS_H

#include "mlc/Dialect/NN/ShapeInference.h"
#include "mlc/Dialect/NN/ShapeUtils.h"

namespace mlc::nn {

/// Whether a folder may build a dense constant of `type`: static, and small
/// (see kMaxFoldedElements).
inline bool isFoldable(mlir::Type type) {
  auto ranked = llvm::dyn_cast<mlir::RankedTensorType>(type);
  return ranked && ranked.hasStaticShape() &&
         ranked.getNumElements() <= kMaxFoldedElements;
}

/// Numpy (multidirectional) broadcast of two shapes: a dim of size 1
/// stretches to the other; two expressions of the free dims must be equal.
/// Known sizes that differ are an error at the op.
/// `reason` words the error (default: "cannot broadcast A and B").
mlir::FailureOr<Dims> broadcast(ShapeContext &context, llvm::ArrayRef<Dim> a,
                                llvm::ArrayRef<Dim> b,
                                ShapeContext::Reason reason = nullptr);

/// The output size of each spatial dim of a windowed op (conv, pool), and
/// the check that the window fits.
mlir::FailureOr<Dims> inferWindowOutput(ShapeContext &context,
                                        llvm::ArrayRef<Dim> spatialDims,
                                        const Window &window);

/// `axis` in [0, rank), or an error at the op naming `dims`.
mlir::FailureOr<int64_t> resolveAxis(ShapeContext &context, int64_t axis,
                                 llvm::ArrayRef<Dim> dims);

} // namespace mlc::nn

#endif // MLC_DIALECT_NN_LIB_OPHELPERS_H
