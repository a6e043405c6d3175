//===- Quantize.h - Weights in fewer bits, and QDQ models -------*- C++ -*-===//
//
// What `mlc quantize` and the passes nn-quantize-weights and nn-fold-qdq do
// to a module: float weights become nn.quantized_constant (fp16, linear or
// palettized), and DequantizeLinear of int8 weights (a model quantized in
// training, QDQ format) becomes the stored quantized weight it describes.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_TRANSFORMS_QUANTIZE_H
#define MLC_TRANSFORMS_QUANTIZE_H

#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mlc {

enum class QuantizeMode { FP16, Linear, KMeans };

struct QuantizeOptions {
  QuantizeMode mode = QuantizeMode::Linear;
  /// Bits per value: linear 2 to 8, k-means 1 to 8 (fp16: 16).
  int bits = 8;
  /// Linear: a scale per output channel (else one per tensor), and zero
  /// points of 0 (else asymmetric).
  bool perChannel = true;
  bool symmetric = true;
  /// k-means: output channels per lookup table; 0: one per tensor.
  int64_t groupChannels = 0;
  /// Weights under this many bytes, and vectors (biases, norm parameters),
  /// stay float.
  int64_t minSize = 4096;
  /// Nodes whose weights stay float.
  std::vector<std::string> skip;
  /// Per node, the bits its weights get instead of `bits` (0: float): how
  /// --auto keeps the layers that cost too much.
  std::map<std::string, int> bitsByNode;
  /// Show progress on stderr (a terminal).
  bool progress = false;
};

/// One weight's quantization.
struct QuantizedLayer {
  std::string node;   // the op that uses the weight
  std::string weight; // the weight's name
  std::string shape;  // "64x3x7x7"
  std::string encoding; // "linear", "palette", "fp16", or "float" (kept)
  int bits = 32;
  uint64_t floatBytes = 0, storedBytes = 0;
  /// SNR of the quantized weight against the float one, dB.
  double snrDb = 0;
};

struct QuantizeReport {
  std::vector<QuantizedLayer> layers;
  uint64_t floatBytes = 0, storedBytes = 0;
};

/// Replaces the float weights of `module` by nn.quantized_constant as
/// `options` say. Emits errors (bad options, a --skip name no op has, groups
/// that do not divide a weight's channels) and fails without changing the
/// module.
mlir::LogicalResult quantizeWeights(mlir::ModuleOp module,
                                    const QuantizeOptions &options,
                                    QuantizeReport *report = nullptr);

struct FoldQDQReport {
  /// DequantizeLinear of constant integer weights folded into quantized
  /// weights.
  unsigned foldedWeights = 0;
  /// QuantizeLinear/DequantizeLinear pairs on activations, kept (they run
  /// as exact quantize-dequantize steps) or dropped.
  unsigned activationPairs = 0;
  bool dropped = false;
};

/// Folds a QDQ model's weights; with `dropActivationQDQ`, removes the
/// activation pairs (the model then computes in float).
mlir::LogicalResult foldQDQ(mlir::ModuleOp module, bool dropActivationQDQ,
                            FoldQDQReport *report = nullptr);

} // namespace mlc

#endif // MLC_TRANSFORMS_QUANTIZE_H
