//===- DataTypes.h - ONNX data types and MLIR element types -----*- C++ -*-===//
//
// The one mapping between ONNX TensorProto data types and MLIR element types,
// shared by the importer and the exporter.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_ONNX_DATATYPES_H
#define MLC_ONNX_DATATYPES_H

#include "mlir/IR/Types.h"
#include "llvm/ADT/StringRef.h"

namespace mlc::onnx_types {

/// The MLIR element type of an ONNX data type; null when mlc does not
/// support it (strings, complex numbers, 4-bit types).
mlir::Type getElementType(mlir::MLIRContext *context, int32_t dataType);

/// The ONNX data type of an MLIR element type; 0 (UNDEFINED) when none.
int32_t getDataType(mlir::Type elementType);

/// The ONNX name of a data type ("FLOAT", "INT64"), or its number.
std::string getDataTypeName(int32_t dataType);

} // namespace mlc::onnx_types

#endif // MLC_ONNX_DATATYPES_H
