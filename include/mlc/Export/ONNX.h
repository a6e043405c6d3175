//===- ONNX.h - Export the nn dialect as an ONNX model ----------*- C++ -*-===//

#ifndef MLC_EXPORT_ONNX_H
#define MLC_EXPORT_ONNX_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

namespace mlc {

struct ONNXExportOptions {
  /// The default-domain opset to write; by default the model's own (at
  /// least 13, the oldest whose operator forms nn matches one to one).
  std::optional<int64_t> opset;
  /// When set, weights of at least `externalDataThreshold` bytes go to this
  /// stream instead of the ModelProto, referenced as `externalDataName` (a
  /// file beside the model). Needed past protobuf's 2 GB limit.
  llvm::raw_ostream *externalData = nullptr;
  std::string externalDataName;
  uint64_t externalDataThreshold = 1024;
};

/// Writes the module's function @main as an ONNX ModelProto: `?` dims as
/// dim_params, weights as initializers (quantized weights as the float
/// values they stand for: they are decoded in `module`). Emits an error at
/// the op and fails for what ONNX at the chosen opset cannot say.
mlir::LogicalResult exportONNX(mlir::ModuleOp module, llvm::raw_ostream &os,
                               const ONNXExportOptions &options = {});

/// The total bytes of the module's constants: what an exported model holds.
uint64_t getConstantBytes(mlir::ModuleOp module);

} // namespace mlc

#endif // MLC_EXPORT_ONNX_H
