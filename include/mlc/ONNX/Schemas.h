//===- Schemas.h - What ONNX's operator schemas say of an op ----*- C++ -*-===//
//
// ONNX's own operator definitions (libonnx's schema registry): whether a
// node has the inputs and outputs its operator takes, and, for the ops nn
// keeps whole as nn.custom, the element types of their outputs.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_ONNX_SCHEMAS_H
#define MLC_ONNX_SCHEMAS_H

#include "mlir/IR/Types.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlc::onnx_types {

/// The element type that the ONNX schema of `opType` (in `domain`, "" for
/// ONNX's own, at `opset`) gives its output `output`, the element types of
/// its inputs being `inputTypes` (null for an input left out): the one type
/// the output's constraint allows (TopK's indices: int64), else that of an
/// input of the same constraint. Null when there is no schema or the type
/// depends on more (an attribute's value, say).
mlir::Type getSchemaOutputElementType(mlir::MLIRContext *context,
                                      llvm::StringRef opType,
                                      llvm::StringRef domain, int64_t opset,
                                      size_t output,
                                      llvm::ArrayRef<mlir::Type> inputTypes);

/// Why a node of `opType` (in `domain`, at `opset`) whose inputs are
/// `given` (false for one left out, as by an empty name) and which has
/// `outputCount` outputs does not fit the operator's schema: too few or too
/// many inputs or outputs, or a required input left out. Empty when it
/// fits, or when ONNX has no schema for it (a custom domain's op).
std::string checkSchemaArity(llvm::StringRef opType, llvm::StringRef domain,
                             int64_t opset, llvm::ArrayRef<bool> given,
                             size_t outputCount);

} // namespace mlc::onnx_types

#endif // MLC_ONNX_SCHEMAS_H
