//===- Compare.h - Two models' outputs side by side --------------*- C++ -*-===//
//
// What `mlc compare A B`, `mlc quantize --report` and `--min-snr` measure: a
// reference model and a test model (the quantized one, say) run on the same
// inputs, and per output how far the test's values are from the
// reference's: SNR in dB, the largest absolute error, cosine similarity, and
// for classifier outputs how often both pick the same class. No MLIR: only
// the runtime (mlcrt) runs the models.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_QUANTIZATION_COMPARE_H
#define MLC_QUANTIZATION_COMPARE_H

#include "mlc/Runtime/Model.h"
#include "mlc/Runtime/Session.h"
#include "mlc/Runtime/Tensor.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlc::quant {

/// One output at one input shape, over every sample run at that shape.
struct OutputComparison {
  std::string output;
  /// The input sizes: "1x3x224x224", or "x=1x3x64x64, y=1x8" with several
  /// inputs.
  std::string shape;
  /// 10 log10(sum ref^2 / sum (ref - test)^2) over all the samples'
  /// elements: +inf when equal, -inf when a NaN or infinity of one model is
  /// not in the other at the same place.
  double snrDb = 0;
  /// The largest |ref - test| (+inf on a NaN or infinity mismatch), and the
  /// largest |ref| (finite values), to put it in proportion.
  double maxAbsError = 0, maxAbsReference = 0;
  /// sum ref*test / (|ref| |test|) over the finite values both have; 1 when
  /// both are all zeros, NaN on a NaN mismatch.
  double cosine = 1;
  /// NaNs in the reference's and in the test's values (where both are NaN
  /// they agree, and count for neither SNR nor error).
  size_t nanReference = 0, nanTest = 0;
  /// Elements compared (per sample times samples).
  size_t elements = 0;
  /// Classifier outputs (2-D [N, C] with C > 1, or [N, C, 1, 1]): of
  /// top1Count rows (batch items times samples), how many pick the same
  /// class in both. -1 for other outputs.
  int top1Agree = -1, top1Count = 0;

  bool isClassifier() const { return top1Agree >= 0; }
  /// top1Agree / top1Count, in [0, 1]; NaN for other outputs.
  double top1Rate() const;
};

struct ModelComparison {
  /// Shape by shape (in the order of `shapes`), each model output in order.
  std::vector<OutputComparison> outputs;
  /// The lowest SNR of all; +inf when every output is equal.
  double worstSnrDb = 0;
  /// The entry of outputs with the worst SNR.
  size_t worstIndex = 0;
  /// Samples per shape (with given inputs: all of them, over all shapes).
  size_t samples = 0;
  /// The input shapes run ("1x3x224x224").
  std::vector<std::string> shapes;
};

struct CompareOptions {
  /// Given samples, used as they are (at their shapes); empty: a synthetic
  /// set of `samples` per shape the reference takes.
  std::vector<rt::TensorMap> inputs;
  int samples = 4;
  /// The shapes of the synthetic set, each one per model input; empty:
  /// comparisonShapes(reference).
  std::vector<std::vector<std::vector<int64_t>>> shapes;
  /// Varies the synthetic values (sample 0 is always the smooth pattern).
  uint64_t seed = 0;
  int threads = 0;
  /// The kernels of both sessions, unless testBackend says otherwise for the
  /// test model's.
  rt::Backend backend = rt::Backend::Fast;
  std::optional<rt::Backend> testBackend;
};

/// The input shapes the synthetic set runs at: every enumerated shape of
/// `model`; for a ranged input its smallest, its largest and one in between
/// (a dynamic batch at 1). With several inputs, the k-th of each (the last
/// where one has fewer). Throws rt::Error for an input with other dims of
/// any size (a dynamic H and W): a comparison at 1x1 would tell nothing,
/// the shapes must be given (CompareOptions::shapes).
std::vector<std::vector<std::vector<int64_t>>>
comparisonShapes(const rt::Model &model);

/// The deterministic synthetic inputs of sample `sample` at `shapes` (one
/// per model input): sample 0 is the smooth pattern `mlc run` feeds
/// (sin(0.001 i)); the others standard normal values (Box-Muller on a
/// splitmix64 stream of seed, sample and input) for float inputs, and small
/// non-negative integers (0..6) for integer ones.
rt::TensorMap syntheticInputs(const rt::Model &model,
                              const std::vector<std::vector<int64_t>> &shapes,
                              int sample, uint64_t seed = 0);

/// Runs `reference` and `test` (the same inputs and outputs, by name and
/// element type) on the given samples or the synthetic set, and compares
/// every output. Throws rt::Error when the models do not match, a sample
/// does not fit them, or their outputs differ in shape.
ModelComparison compareModels(std::shared_ptr<const rt::Model> reference,
                              std::shared_ptr<const rt::Model> test,
                              const CompareOptions &options = {});
/// The same for models the caller keeps alive during the call.
ModelComparison compareModels(const rt::Model &reference,
                              const rt::Model &test,
                              const CompareOptions &options = {});

/// The comparison of two value arrays (one sample's output, say), for
/// callers that run the models themselves; `classes` > 1 also counts top-1
/// agreement over rows of that many values.
OutputComparison compareValues(const float *reference, const float *test,
                               size_t count, size_t classes = 0);

/// A text table: one row per shape and output, then the worst SNR.
std::string formatComparison(const ModelComparison &comparison);

/// Rows as columns as wide as their widest cell, each line indented.
std::string formatTable(const std::vector<std::vector<std::string>> &rows,
                        size_t indent);

/// "45.21", "inf", "-inf": an SNR as the table prints it.
std::string formatSnr(double snrDb);


} // namespace mlc::quant

#endif // MLC_QUANTIZATION_COMPARE_H
