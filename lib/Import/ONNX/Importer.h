//===- Importer.h - Internals of the ONNX importer --------------*- C++ -*-===//
//
// The pieces of the importer: reading the ModelProto, turning tensors into
// attributes, and turning each node into nn ops (one function per ONNX
// operator, in OpImporters.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef MLC_LIB_IMPORT_ONNX_IMPORTER_H
#define MLC_LIB_IMPORT_ONNX_IMPORTER_H

#include "mlc/Dialect/NN/NNOps.h"
#include "mlc/Dialect/NN/ShapeInference.h"
#include "mlc/Dialect/NN/ShapeUtils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <onnx/onnx_pb.h>

namespace mlc::onnx_import {

/// The weights that earlier models stored, by initializer name.
using KnownWeights = llvm::StringMap<mlir::DenseResourceElementsAttr>;

/// Reads the ModelProto in `path`, telling binary protobuf, protobuf text
/// and JSON apart by content. Emits at `fileLoc` and fails on a file that
/// cannot be read or is not a model.
///
/// With `known` weights, a binary model's initializer whose raw_data equals
/// the known weight of its name byte for byte is compared as it streams past
/// and left out of `model`, its name added to `reused`: a second export of
/// one network never holds its weights in memory.
mlir::LogicalResult readModel(llvm::StringRef path, ::onnx::ModelProto &model,
                              mlir::Location fileLoc,
                              const KnownWeights *known = nullptr,
                              llvm::StringSet<> *reused = nullptr);

/// Turns ONNX tensors into element attributes. Large tensors become
/// resource blobs that take over the bytes protobuf parsed (or map external
/// data files), and identical bytes share one blob, across all the models
/// imported with this TensorImporter.
class TensorImporter {
public:
  explicit TensorImporter(mlir::MLIRContext *context) : context(context) {}

  /// The folder of the model being imported: external data is read there.
  void setModelDir(llvm::StringRef dir) { modelDir = dir.str(); }

  /// Converts `tensor`, taking its raw bytes (the proto is left without
  /// them). `what` names it in errors ("initializer 'w'").
  mlir::FailureOr<mlir::ElementsAttr> import(::onnx::TensorProto &tensor,
                                             mlir::Location loc,
                                             llvm::StringRef what);

  /// How many bytes of weights were found identical to stored ones.
  uint64_t sharedBytes = 0;

  /// The weights stored so far, by initializer name, and the initializers
  /// of the model being imported that readModel left out because they equal
  /// those (their attributes reuse the stored blobs).
  KnownWeights known;
  llvm::StringSet<> reused;

private:
  mlir::FailureOr<mlir::ElementsAttr>
  makeAttr(mlir::RankedTensorType type, llvm::StringRef name,
           mlir::AsmResourceBlob blob);
  mlir::FailureOr<mlir::AsmResourceBlob>
  readExternal(const ::onnx::TensorProto &tensor, uint64_t bytes,
               mlir::Location loc, llvm::StringRef what);

  mlir::MLIRContext *context;
  std::string modelDir;
  // Blobs by content hash, to store identical tensors once.
  llvm::DenseMap<uint64_t, llvm::SmallVector<mlir::DenseResourceElementsHandle, 1>>
      blobsByHash;
};

/// Tensors of at most this many elements become inline `dense` attributes
/// (shape vectors, axes, scalars, scales); larger ones are resource blobs.
constexpr int64_t kMaxInlineElements = 16;

/// What an operator's importer sees of one node, and the means to build its
/// ops. Ops built through `create` get their result types inferred at once.
class NodeImport {
public:
  NodeImport(const ::onnx::NodeProto &node, mlir::Location loc, int64_t opset,
             llvm::SmallVector<mlir::Value> inputs, mlir::OpBuilder &builder,
             TensorImporter &tensors, nn::ShapeAnalysis &shapes)
      : node(node), loc(loc), opset(opset), inputs(std::move(inputs)),
        b(builder), tensors(tensors), shapes(shapes) {}

  const ::onnx::NodeProto &node;
  mlir::Location loc;
  int64_t opset; // of the node's domain
  /// The node's inputs in order; null where ONNX leaves an optional one out.
  llvm::SmallVector<mlir::Value> inputs;
  mlir::OpBuilder &b;
  TensorImporter &tensors;
  /// The graph's shapes so far: shape computations' entries carry forward.
  nn::ShapeAnalysis &shapes;

  mlir::Value input(size_t i) const {
    return i < inputs.size() ? inputs[i] : mlir::Value();
  }

  // Attributes of the node, with ONNX's defaults.
  const ::onnx::AttributeProto *findAttr(llvm::StringRef name) const;
  int64_t getInt(llvm::StringRef name, int64_t fallback) const;
  float getFloat(llvm::StringRef name, float fallback) const;
  std::string getString(llvm::StringRef name, llvm::StringRef fallback) const;
  llvm::SmallVector<int64_t> getInts(llvm::StringRef name) const;
  llvm::SmallVector<float> getFloats(llvm::StringRef name) const;

  /// An nn.constant holding int64 or float32 values (1-D, or a scalar).
  mlir::Value constantInts(llvm::ArrayRef<int64_t> values, bool scalar = false);
  mlir::Value constantFloats(llvm::ArrayRef<float> values, mlir::Type elementType,
                             bool scalar = false);

  /// A placeholder result type; inference replaces it (Cast keeps the
  /// element type, its target).
  mlir::Type unknown(mlir::Type elementType = {}) const;

  /// Builds an op and infers its result types; a failure (already emitted
  /// at the op) is remembered in `failed`.
  template <typename OpTy, typename... Args>
  OpTy create(Args &&...args) {
    auto op = b.create<OpTy>(loc, std::forward<Args>(args)...);
    inferTypes(op);
    return op;
  }
  void inferTypes(mlir::Operation *op);

  /// Errors at the node.
  mlir::InFlightDiagnostic emitError() const;

  bool failed = false;
};

/// An operator's importer: builds the node's ops and returns its outputs,
/// or fails after emitting an error.
using OpImporter =
    mlir::FailureOr<llvm::SmallVector<mlir::Value>> (*)(NodeImport &);

/// The importers of the default ONNX domain by op type.
const llvm::StringMap<OpImporter> &getOpImporters();

/// Converts a node's attributes for nn.custom (ONNX names and types).
mlir::FailureOr<mlir::DictionaryAttr> importCustomAttributes(NodeImport &node);

} // namespace mlc::onnx_import

#endif // MLC_LIB_IMPORT_ONNX_IMPORTER_H
