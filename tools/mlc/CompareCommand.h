//===- CompareCommand.h - mlc compare -----------------------------*- C++ -*-===//

#ifndef MLC_TOOLS_COMPARECOMMAND_H
#define MLC_TOOLS_COMPARECOMMAND_H

#include <optional>
#include <string>
#include <vector>

namespace llvm::json {
class Value;
} // namespace llvm::json

namespace mlc::quant {
struct ModelComparison;
} // namespace mlc::quant

namespace mlc::cli {

/// A comparison as JSON (samples, shapes, outputs with snr_db,
/// max_abs_error, max_abs_reference, cosine, nan_reference, nan_test and
/// top1_agree, top1_count, top1_rate for classifiers; worst_snr_db;
/// infinities as the strings "inf", "-inf", "nan"): `mlc compare --json`
/// and `mlc quantize --json`.
llvm::json::Value comparisonToJSON(const quant::ModelComparison &comparison);

struct CompareCommandOptions {
  /// The reference model and the test model: .mlc files, or any model mlc
  /// reads (ONNX, .mlir, .mlirbc), compiled in memory.
  std::string a, b;
  /// NAME=FILE.npy, or FILE.npy for a model of one input: each file one
  /// sample (an input given N times: N samples). Default: a deterministic
  /// synthetic set at every shape the reference takes.
  std::vector<std::string> inputs;
  /// NAME=DIMS: the synthetic set's shapes (shapeSets); default: every
  /// shape the reference takes (quant::comparisonShapes).
  std::vector<std::string> shapes;
  /// Synthetic samples per shape.
  int samples = 4;
  int threads = 0;
  bool json = false;
  /// Exit 1 when an output's SNR is below this many dB.
  std::optional<double> minSnr;
  /// Custom layer plugins the models need.
  std::vector<std::string> plugins;
};

/// `mlc compare A B`: both models on the same inputs, per output SNR, max
/// abs error, cosine and top-1 agreement. Exit 0; 1 when an output falls
/// below --min-snr; 2 on errors (one line naming the file).
int runCompare(const CompareCommandOptions &options);

} // namespace mlc::cli

#endif // MLC_TOOLS_COMPARECOMMAND_H
