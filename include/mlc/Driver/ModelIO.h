//===- ModelIO.h - Reading and writing models in any of mlc's formats ---===//
//
// What every mlc command does first and last: read a model (ONNX, MLIR text
// or MLIR bytecode, told apart by content), write one (the format picked by
// the extension, the file replaced only when complete), and report errors
// as one line that names the file and the node.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_DRIVER_MODELIO_H
#define MLC_DRIVER_MODELIO_H

#include "mlc/Lowering/Lowering.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OwningOpRef.h"

#include <optional>

namespace mlc {

/// Registers the dialects a model may use.
void registerModelDialects(mlir::MLIRContext &context);

/// Whether `path` holds MLIR (text or bytecode) rather than an ONNX model:
/// by extension, else by content.
bool isMLIRFile(llvm::StringRef path);

/// Reads an ONNX model or an MLIR file of nn ops. Emits errors and returns
/// null on failure.
mlir::OwningOpRef<mlir::ModuleOp> loadModel(llvm::StringRef path,
                                            mlir::MLIRContext *context);

struct SaveOptions {
  /// ONNX output: the opset to write (default: the model's, at least 13),
  /// and whether weights go to a `<output>.data` file beside the model
  /// (default: only when the model would pass protobuf's 2 GB limit).
  std::optional<int64_t> opset;
  std::optional<bool> externalData;
  /// .mlc output: what the lowering did, when wanted.
  LoweringReport *loweringReport = nullptr;
};

/// Writes `module` to `path` in the format its extension names: .mlir
/// (text, with node names as locations), .mlirbc (bytecode: weights raw and
/// aligned), .onnx or .pb, or .mlc (lowered for the runtime; this changes
/// `module`). "-" writes MLIR text to stdout. Emits errors.
mlir::LogicalResult saveModel(mlir::ModuleOp module, llvm::StringRef path,
                              const SaveOptions &options = {});

/// Prints errors and warnings as one line each:
///   model.onnx: error: node 'conv1': 'nn.conv' op kernel 5x5 does not fit...
///   net.mlir:12:5: error: ...
/// and counts the errors.
class ToolDiagnostics {
public:
  ToolDiagnostics(mlir::MLIRContext &context, llvm::raw_ostream &os);
  ~ToolDiagnostics();
  unsigned errors = 0;
  /// The file that messages whose location names none are about (an op of
  /// a hand-written .mlir with a `loc("name")` of its own, say).
  std::string defaultFile;

private:
  mlir::MLIRContext &context;
  mlir::DiagnosticEngine::HandlerID id;
};

/// "file: " or "file:line:col: ", then "node 'name': " where the location
/// names one: the prefix of every message about a place in a model.
std::string formatLocation(mlir::Location loc);

} // namespace mlc

#endif // MLC_DRIVER_MODELIO_H
