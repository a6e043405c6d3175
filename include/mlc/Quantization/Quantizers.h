//===- Quantizers.h - Float weights to fewer bits --------------*- C++ -*-===//
//
// The numerical part of `mlc quantize` (no MLIR): each quantizer turns a
// float32 tensor into an encoded one (Runtime/WeightEncoding.h describes the
// encodings and decodes them), deterministically: the same values and
// options give the same bytes.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_QUANTIZATION_QUANTIZERS_H
#define MLC_QUANTIZATION_QUANTIZERS_H

#include "mlc/Runtime/WeightEncoding.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace mlc::quant {

/// An encoded tensor that owns its bytes and parameters.
struct Quantized {
  rt::WeightEncoding encoding = rt::WeightEncoding::raw;
  int bits = 0;
  int axis = 0;
  bool isSigned = false;
  std::vector<float> scales;
  std::vector<int32_t> zeroPoints; // empty: all zero
  std::vector<float> lut;
  int64_t groupChannels = 0;
  std::vector<uint8_t> bytes;

  /// A view for rt::decodeWeight and rt::checkEncodedWeight.
  rt::EncodedWeight view() const;
  /// The values it stands for.
  std::vector<float> decode(const std::vector<int64_t> &shape) const;
  /// Bytes stored: the packed values plus the parameters.
  size_t storedBytes() const;
};

/// fp16: half floats, round to nearest even (values beyond half's range
/// become infinities, as a cast would).
Quantized toFP16(const float *values, const std::vector<int64_t> &shape);

struct LinearOptions {
  int bits = 8;          // 2..8
  bool symmetric = true; // zero point 0, signed values in [-(2^(b-1)-1), 2^(b-1)-1]
  bool perChannel = true; // one scale per index along `axis`
  int axis = 0;
};
/// Linear (affine) quantization: per channel, the scale maps the channel's
/// range (symmetric: its largest magnitude) onto the integers; a channel of
/// zeros gets scale 1. Values round to nearest (half to even), then the
/// roundings nearest to the other choice flip until the errors of each
/// kernel window and of each channel sum to at most half a step: each value
/// moves by less than a step, and a layer's outputs do not drift with the
/// mean of its inputs (see the .cpp).
Quantized quantizeLinear(const float *values, const std::vector<int64_t> &shape,
                         const LinearOptions &options);

struct PaletteOptions {
  int bits = 4;              // 1..8: a LUT of 2^bits values
  int64_t groupChannels = 0; // channels per LUT along `axis`; 0: one LUT
  int axis = 0;
  uint64_t seed = 0;         // k-means++ start, fixed: deterministic
  int maxIterations = 25;
  /// Called now and then with the fraction done (0..1), for progress bars.
  std::function<void(double)> progress;
};
/// k-means palettization: per group, 2^bits centroids fitted to the values
/// (k-means++ start from `seed`, Lloyd iterations on a sorted copy: 1-D
/// k-means), each value stored as its nearest centroid's index. A group with
/// fewer distinct values than centroids is represented exactly.
Quantized palettize(const float *values, const std::vector<int64_t> &shape,
                    const PaletteOptions &options);

/// Signal-to-noise ratio of `test` against `reference`, in dB:
/// 10 log10(sum ref^2 / sum (ref - test)^2); +inf when equal.
double snrDb(const float *reference, const float *test, size_t count);

} // namespace mlc::quant

#endif // MLC_QUANTIZATION_QUANTIZERS_H
