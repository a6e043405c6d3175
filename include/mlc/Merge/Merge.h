//===- Merge.h - Per-size exports into one flexible model -------*- C++ -*-===//
//
// `mlc merge`: exports of one network at several input sizes become one
// model whose input carries the sizes it accepts (enumerated, or a range),
// with the weights stored once. Merging is a diff: the exports must be the
// same ops in the same order with the same attributes and weights; what
// differs are constants derived from the input size (Reshape targets,
// Resize sizes...), and each becomes a computation on shapes: preferably a
// dim of a tensor in the graph that equals it in every export (exact at
// every size), else a formula in the input's dims that fits every export.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_MERGE_MERGE_H
#define MLC_MERGE_MERGE_H

#include "mlc/Dialect/NN/NNOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/JSON.h"

#include <optional>
#include <string>
#include <vector>

namespace mlc {

/// The sizes `--shapes` asks for, before they are tied to an input's rank:
/// sizes of the last dims ("224" is H = W = 224, "224x320" is H x W) or of
/// all dims ("1x3x224x224"); a list, or one range per dim ("224..448:32").
struct ShapeSpec {
  bool range = false;
  /// Enumerated: the shapes as written (of the trailing dims, or all).
  std::vector<std::vector<int64_t>> shapes;
  /// Ranged: per dim as written, min, max and step.
  std::vector<int64_t> mins, maxs, steps;
  /// "224" alone: a size for H and for W.
  bool square = false;

  /// Parses the text of --shapes; nullopt after setting `error`.
  static std::optional<ShapeSpec> parse(llvm::StringRef text,
                                        std::string &error);

  /// The shape set for an input of `defaultShape`'s rank whose spatial dims
  /// are `spatial` (getSpatialDims): a size of n dims names the last n
  /// spatial dims (a square one the last two), a whole shape every dim; the
  /// dims the spec does not name keep the input's sizes. Null, after
  /// `error`, when the spec does not fit the rank.
  nn::ShapeSetAttr resolve(mlir::MLIRContext *context,
                           llvm::ArrayRef<int64_t> defaultShape,
                           llvm::ArrayRef<int64_t> spatial,
                           std::string &error) const;

  /// The dims of an input of `rank` that the spec gives sizes for (as
  /// resolve places them), in order; empty, after `error`, when it does not
  /// fit the rank.
  llvm::SmallVector<int64_t> namedDims(int64_t rank,
                                       llvm::ArrayRef<int64_t> spatial,
                                       std::string &error) const;

private:
  /// The dims a size of `count` dims names in an input of `rank`; false,
  /// after `error`, when it does not fit.
  static bool placeSize(size_t count, int64_t rank,
                        llvm::ArrayRef<int64_t> spatial,
                        llvm::SmallVectorImpl<int64_t> &dims,
                        std::string &error);
};

struct MergeOptions {
  /// --shapes; none: the exports' own sizes, enumerated.
  std::optional<ShapeSpec> spec;
  /// The input the sizes are for (default: the first input whose dims vary).
  std::string input;
};

struct MergeReport {
  /// A constant that differed between the exports, and what computes it now.
  struct Generalized {
    std::string node, opType, operand;
    unsigned index;
    std::vector<int64_t> values; // in each export
    std::string formula;         // over the free dims
    std::string source;          // "dim 2 of 'image'", "a fit over 3 exports"
  };
  std::vector<std::string> exports;
  std::string input;
  nn::ShapeSetAttr shapes;
  std::vector<std::string> freeDims;
  /// The exports' dynamic batch dim ("dim 0 ('batch')", or "dim 0"
  /// unnamed); empty when they have none.
  std::string batchDim;
  /// Whether it is dynamic in the merged model too (`?` in its shapes);
  /// else the merged graph fixes it and it was merged as 1.
  bool batchFree = false;
  std::vector<Generalized> generalized;
  uint64_t weightBytes = 0; // of the merged model
  /// The bytes of weights the exports held again (stored once instead).
  uint64_t sharedBytes = 0;
  /// --functions: each function and the file it came from.
  std::vector<std::pair<std::string, std::string>> functions;
};

enum class MergeStatus {
  Merged,
  /// The exports are not one network, or the sizes asked for are not ones
  /// the network allows (exit code 1); the reason has been emitted.
  Refused,
  /// Bad input (exit code 2); the error has been emitted.
  Error,
};

/// Merges `exports` (modules of nn ops, each with @main; at least one) into
/// the first of them. Diagnostics name the exports' files and nodes.
MergeStatus mergeExports(llvm::ArrayRef<mlir::ModuleOp> exports,
                         llvm::ArrayRef<std::string> names,
                         const MergeOptions &options, MergeReport &report);

/// Puts different networks (a classifier and a segmenter sharing a backbone)
/// into the first module, one function each, named after their files; the
/// weights they hold in common are stored once when the modules were
/// imported with one ONNXImporter. Fills `report` (exports, functions).
MergeStatus mergeFunctions(llvm::ArrayRef<mlir::ModuleOp> models,
                           llvm::ArrayRef<std::string> names,
                           MergeReport &report);

/// The report in words (--verbose), and as JSON (--json).
std::string formatMergeReport(const MergeReport &report, bool verbose);
llvm::json::Value toJSON(const MergeReport &report);

} // namespace mlc

#endif // MLC_MERGE_MERGE_H
