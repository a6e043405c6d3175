//===- Flexibility.h - Does a network take any input size? ------*- C++ -*-===//
//
// The proof behind `mlc check-flexible` and `--nn-check-flexible`: the free
// input dims (H and W by default) become symbols, every op's output dims come
// out as expressions of them (nn's shape functions), and what ops need of
// those dims (a window fits, two dims agree, a count divides) is collected
// and solved over the sizes 1 to FlexibilityOptions::maxSize. A network is
// flexible when every output dim is such an expression and the sizes that
// work are unbounded. Otherwise each blocker is named with its node, the
// reason and a fix; constants that equal an expression of the input size at
// the export's size are reported as baked (an export artifact that merging
// several exports generalizes).
//
//===----------------------------------------------------------------------===//

#ifndef MLC_ANALYSIS_FLEXIBILITY_H
#define MLC_ANALYSIS_FLEXIBILITY_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/JSON.h"

#include <string>
#include <vector>

namespace mlc {

struct FlexibilityOptions {
  /// The input whose dims are free; empty: every input of high enough rank.
  std::string input;
  /// The dims to free in each such input; empty: the spatial dims (H and W
  /// of NCHW or NHWC, D, H and W of NCDHW: getSpatialDims) of the inputs of
  /// the largest rank, at least 3.
  std::vector<int64_t> dims;
  /// The largest size searched for constraints.
  int64_t maxSize = 4096;
};

enum class FlexibilityVerdict {
  /// Every output follows the free dims and unboundedly many sizes work.
  Flexible,
  /// Flexible once the baked constants are computed from the input size.
  Baked,
  /// Something in the network's structure stops other sizes.
  Blocked,
};

struct FlexibilityReport {
  struct FreeDim {
    std::string name;  // "H"
    std::string input; // the graph input's name
    unsigned dim;
    int64_t exportSize; // ShapedType::kDynamic when the model says `?`
  };
  /// The sizes that work, for one free dim: from `min` on, those whose
  /// remainder modulo `period` is one of `residues` (all of them: no
  /// divisibility constraint).
  struct Constraint {
    std::string dim;
    int64_t min = 1;
    int64_t period = 1;
    std::vector<int64_t> residues = {0};
    std::string text; // "H >= 32 and H % 32 == 0"
    /// The ops that impose it, by node name.
    std::vector<std::string> nodes;
  };
  struct Blocker {
    mlir::Operation *op;
    std::string node, opType, reason, fix;
    /// Where the sizes it takes stop being known, when another op: "the
    /// entries of its input 1 are lost at Reshape '/attn/Reshape' ...".
    std::string cause = {};
  };
  struct Baked {
    mlir::Operation *op; // the op whose operand holds the constant
    std::string node, opType, operand;
    unsigned index;   // entry of the operand
    int64_t value;    // the constant
    std::string formula; // what it equals at the export's size
    std::string text;
  };
  struct Output {
    std::string name;
    std::vector<std::string> dims;
    std::string text;
  };

  std::string model;
  FlexibilityVerdict verdict = FlexibilityVerdict::Flexible;
  std::vector<FreeDim> freeDims;
  std::vector<Constraint> constraints;
  /// Requirements that tie several free dims together ("H == W").
  std::vector<std::string> jointConstraints;
  std::vector<Output> outputs;
  std::vector<Blocker> blockers;
  std::vector<Baked> baked;
};

/// Analyzes the graph `func`. Fails, after emitting an error, when the graph
/// is invalid even at its declared sizes.
mlir::FailureOr<FlexibilityReport>
analyzeFlexibility(mlir::func::FuncOp func, const FlexibilityOptions &options);

/// The report in words, for people.
std::string formatFlexibilityReport(const FlexibilityReport &report);

/// The report as JSON (schema in docs/check-flexible.md).
llvm::json::Value toJSON(const FlexibilityReport &report);

llvm::StringRef stringifyVerdict(FlexibilityVerdict verdict);

/// The spatial dims of the graph input `arg` (rank 3 or more): 2 to the last
/// (NCHW, NCDHW), or 1 to the last but one where the graph moves the last dim
/// to the channels' place first (a Transpose of perm [0, r-1, 1, ..., r-2]:
/// the NHWC inputs of TensorFlow and Keras models).
llvm::SmallVector<int64_t> getSpatialDims(mlir::BlockArgument arg);

/// How reports name dim `dim` of a graph input that has no dim_param: the
/// last of its `spatial` dims W, the one before H, the one before that D
/// (of three), others "D<dim>".
std::string nameInputDim(int64_t dim, llvm::ArrayRef<int64_t> spatial);

} // namespace mlc

#endif // MLC_ANALYSIS_FLEXIBILITY_H
