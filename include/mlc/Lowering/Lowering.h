//===- Lowering.h - From nn ops to the .mlc runtime file --------*- C++ -*-===//
//
// Lowers a model's main function to a .mlc file (docs/format.md): folds
// constants and BatchNorms into convolutions, fuses bias, residual Add and
// activation into the op before them, turns shape computations into
// expressions of the input sizes, and precomputes a memory plan for every
// enumerated input shape. When the network runs at any batch size (checked
// on the graph), the file says so and the runtime runs batches in one pass.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_LOWERING_LOWERING_H
#define MLC_LOWERING_LOWERING_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlc {

struct LoweringReport {
  size_t ops = 0, tensors = 0, weights = 0;
  uint64_t weightBytes = 0, fileBytes = 0;
  unsigned foldedBatchNorms = 0, fusedActivations = 0, fusedResiduals = 0;
  /// The batch symbol's name when batches run in one pass, else empty.
  std::string batchDim;
  /// Per precomputed plan: its input sizes ("H=224, W=224") and arena bytes.
  std::vector<std::pair<std::string, uint64_t>> plans;
};

/// Runs the lowering passes on `module` (it is changed) and writes the .mlc
/// file to `os` (saveModel writes it to a file atomically). Emits errors at
/// the ops that cannot be lowered and fails, having written nothing.
mlir::LogicalResult lowerToMLC(mlir::ModuleOp module, llvm::raw_ostream &os,
                               LoweringReport *report = nullptr);

} // namespace mlc

#endif // MLC_LOWERING_LOWERING_H
