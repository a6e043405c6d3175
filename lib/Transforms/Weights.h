//===- Weights.h - Reading and making float32 weights in rewrites -*- C++ -*-===//
//
// What the rewrites that compute new weights from old ones share: a
// float32 constant's values read from its bytes (weights are large: no
// APFloat per element), and a new constant in a resource blob.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_LIB_TRANSFORMS_WEIGHTS_H
#define MLC_LIB_TRANSFORMS_WEIGHTS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/PatternMatch.h"

#include <optional>

namespace mlc {

/// The values of `value` when it is a float32 constant (nn.constant).
std::optional<llvm::SmallVector<float>> getFloat32s(mlir::Value value);

/// A float32 constant of `type` holding `values`, in a resource blob named
/// after `name`.
mlir::Value makeWeight(mlir::PatternRewriter &rewriter, mlir::Location loc,
                       mlir::RankedTensorType type,
                       llvm::ArrayRef<float> values, llvm::StringRef name);

} // namespace mlc

#endif // MLC_LIB_TRANSFORMS_WEIGHTS_H
