//===- ShapeUtils.h - Shapes, constants and window geometry -----*- C++ -*-===//
//
// Helpers shared by the nn ops' shape functions, the passes and the importer:
// reading dims and constant values, comparing and refining types, numpy
// broadcasting, and the output size of windowed ops (conv, pool).
//
//===----------------------------------------------------------------------===//

#ifndef MLC_DIALECT_NN_SHAPEUTILS_H
#define MLC_DIALECT_NN_SHAPEUTILS_H

#include "mlc/Dialect/NN/NNOps.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>

namespace mlc::nn {

constexpr int64_t kDynamic = mlir::ShapedType::kDynamic;

/// The dims of a ranked tensor type; nullopt when unranked or not a tensor.
std::optional<llvm::SmallVector<int64_t>> getDims(mlir::Type type);

/// A tensor type with `dims`, or unranked when `dims` is nullopt.
mlir::TensorType makeTensorType(std::optional<llvm::ArrayRef<int64_t>> dims,
                                mlir::Type elementType);

/// The element type of a tensor type.
mlir::Type getElementType(mlir::Type type);

/// Whether the two tensor types agree wherever both are known.
bool areCompatible(mlir::Type a, mlir::Type b);

/// The most precise type that both compatible types describe.
mlir::Type refineType(mlir::Type a, mlir::Type b);

/// The values of an integer constant (dense or resource); nullopt otherwise.
std::optional<llvm::SmallVector<int64_t>> getConstantInts(mlir::Attribute attr);
std::optional<llvm::SmallVector<int64_t>> getConstantInts(mlir::Value value);

/// The values of a floating-point constant (dense or resource).
std::optional<llvm::SmallVector<double>> getConstantFloats(mlir::Attribute attr);
std::optional<llvm::SmallVector<double>> getConstantFloats(mlir::Value value);

/// The raw bytes of a constant tensor in ONNX's little-endian layout, whether
/// a dense attribute or a resource blob. Empty when not readable.
llvm::ArrayRef<char> getRawData(mlir::ElementsAttr attr);

/// Bytes per element in that layout (a bool takes one).
unsigned getByteWidth(mlir::Type elementType);
/// The size of a constant in that layout.
uint64_t getRawSize(mlir::ElementsAttr attr);
/// Hands the bytes of a constant in that layout to `write`, piece by piece,
/// getRawSize of them in all. Bytes that live in a resource blob or a dense
/// attribute go out from where they are; splats and bools, which have no
/// such bytes, are expanded through a small buffer. No tensor is ever
/// copied whole: weights exist once in memory.
void writeRawData(mlir::ElementsAttr attr,
                  llvm::function_ref<void(llvm::ArrayRef<char>)> write);

/// Folders make constants of at most this many elements: enough for every
/// shape computation, and it keeps weights out of the context's uniqued
/// attributes (weight folding works on resource blobs, elsewhere).
constexpr int64_t kMaxFoldedElements = 4096;

/// Dense constants of `type` from int64 or double values, converted to the
/// type's element type.
mlir::DenseElementsAttr makeIntsAttr(mlir::ShapedType type,
                                     llvm::ArrayRef<int64_t> values);
mlir::DenseElementsAttr makeFloatsAttr(mlir::ShapedType type,
                                       llvm::ArrayRef<double> values);

/// Formats dims as "2x3x?".
std::string formatDims(llvm::ArrayRef<int64_t> dims);

/// Formats values as "1, 2, 3".
std::string formatList(llvm::ArrayRef<int64_t> values);

/// The geometry of a windowed op over `n` spatial dims, ONNX defaults filled.
struct Window {
  llvm::SmallVector<int64_t> kernel, strides, dilations;
  llvm::SmallVector<int64_t> pads; // begin_0..begin_n-1, end_0..end_n-1
  AutoPad autoPad = AutoPad::notset;
  bool ceilMode = false;
};

/// Fills a Window from ONNX-style attributes (empty arrays mean defaults)
/// after checking their lengths and signs; emits at `op` and fails otherwise.
mlir::FailureOr<Window> makeWindow(mlir::Operation *op,
                                   llvm::ArrayRef<int64_t> kernel,
                                   llvm::ArrayRef<int64_t> strides,
                                   llvm::ArrayRef<int64_t> dilations,
                                   llvm::ArrayRef<int64_t> pads,
                                   AutoPad autoPad, bool ceilMode);

/// Normalizes an ONNX axis in [-rank, rank) to [0, rank); fails otherwise.
std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank);

} // namespace mlc::nn

#endif // MLC_DIALECT_NN_SHAPEUTILS_H
