//===- QuantizeCommand.h - mlc quantize -------------------------*- C++ -*-===//

#ifndef MLC_TOOLS_QUANTIZECOMMAND_H
#define MLC_TOOLS_QUANTIZECOMMAND_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlc::cli {

struct QuantizeCommandOptions {
  std::string model, output;
  std::string mode = "linear";
  /// Default: 8 for linear, 4 for kmeans (fp16: 16).
  std::optional<int> bits;
  std::string granularity = "per-channel";
  bool asymmetric = false;
  int64_t groupChannels = 0;
  int64_t minSize = 4096;
  std::vector<std::string> skip;
  bool dropActivationQDQ = false;
  /// Run the float and quantized models on sample inputs and report.
  bool report = false;
  /// NAME=DIMS: the report's sample shapes (shapeSets); default: the
  /// model's (quant::comparisonShapes).
  std::vector<std::string> shapes;
  std::optional<double> minSnr;
  bool autoRaise = false;
  int threads = 0;
  bool json = false, quiet = false;
};

/// `mlc quantize`: exit 0 written, 1 refused (--min-snr), 2 error.
int runQuantize(const QuantizeCommandOptions &options);

} // namespace mlc::cli

#endif // MLC_TOOLS_QUANTIZECOMMAND_H
