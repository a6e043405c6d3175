//===- ONNX.h - Import ONNX models into the nn dialect ----------*- C++ -*-===//
//
// The only code that reads ONNX protobuf. A model becomes a module holding
// one func.func (the graph): initializers become nn.constant ops whose bytes
// are resource blobs (taken over from protobuf, not copied), nodes become nn
// ops in dependency order, and each op's location carries its node's name.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_IMPORT_ONNX_H
#define MLC_IMPORT_ONNX_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

#include <memory>

namespace mlc {

/// The ONNX opsets the importer understands, for the default domain.
constexpr int64_t kMinONNXOpset = 7;
constexpr int64_t kMaxONNXOpset = 21;

/// Imports ONNX models into one context. The models one importer imports
/// share their weights: a tensor whose bytes an earlier model holds is stored
/// once, its later copy freed as soon as it is read (per-size exports of one
/// network hold the same weights).
class ONNXImporter {
public:
  explicit ONNXImporter(mlir::MLIRContext *context);
  ~ONNXImporter();

  /// As importONNXFile.
  mlir::OwningOpRef<mlir::ModuleOp> importFile(llvm::StringRef path);

  /// The bytes of weights found identical to stored ones (so stored once),
  /// over all the models imported.
  uint64_t getSharedBytes() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

/// Reads the ONNX ModelProto in `path` (binary protobuf, or protobuf text or
/// JSON, told apart by content, whatever the extension) and imports it.
/// Errors are emitted to the context's diagnostic handler at locations that
/// name the file and, where there is one, the node; returns null then.
mlir::OwningOpRef<mlir::ModuleOp> importONNXFile(llvm::StringRef path,
                                                 mlir::MLIRContext *context);

/// Whether the first bytes of a file look like MLIR (text or bytecode)
/// rather than an ONNX model.
bool looksLikeMLIR(llvm::StringRef header);

} // namespace mlc

#endif // MLC_IMPORT_ONNX_H
