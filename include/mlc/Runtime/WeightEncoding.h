//===- WeightEncoding.h - Quantized weights, decoded -----------*- C++ -*-===//
//
// The encodings a .mlc weight may have besides raw float32 bytes, as a view
// that both the runtime (which expands weights at load) and the compiler
// (which measures what quantization cost) decode with the same code:
//
//   fp16     IEEE half floats, 2 bytes each.
//   linear   value = (q - zeroPoints[c]) * scales[c], c the element's index
//            along `axis` (one scale: per tensor). q has `bits` bits (1..8),
//            two's complement when `isSigned`.
//   palette  value = lut[g * 2^bits + index], g = (index along `axis`) /
//            groupChannels (groupChannels 0: one group), index `bits` bits.
//
// Values of `bits` bits are packed into bytes low bits first, element after
// element in row-major order (bits = 8: one byte each; 4: two per byte, the
// first in the low nibble).
//
//===----------------------------------------------------------------------===//

#ifndef MLC_RUNTIME_WEIGHTENCODING_H
#define MLC_RUNTIME_WEIGHTENCODING_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mlc::rt {

enum class WeightEncoding : uint8_t { raw = 0, fp16, linear, palette };

/// "raw", "fp16", "linear", "palette".
const char *weightEncodingName(WeightEncoding encoding);

/// An encoded weight: its bytes and the parameters its encoding needs
/// (pointers into the .mlc file, or into the compiler's buffers).
struct EncodedWeight {
  WeightEncoding encoding = WeightEncoding::raw;
  int bits = 0;
  int axis = 0;
  bool isSigned = false;
  const float *scales = nullptr;
  size_t scaleCount = 0;
  const int32_t *zeroPoints = nullptr;
  size_t zeroPointCount = 0; // 0: all zero
  const float *lut = nullptr;
  size_t lutCount = 0;
  int64_t groupChannels = 0;
  const uint8_t *bytes = nullptr;
  size_t byteCount = 0;
};

/// The bytes `count` values take packed at `bits` bits each.
size_t packedBytes(int64_t count, int bits);

/// What is wrong with `weight` as the encoding of a float32 tensor of
/// `shape` (sizes of bytes, scales, zero points, LUT, axis, bits); empty
/// when it is well formed. Decoding a well-formed weight reads nothing out
/// of bounds.
std::string checkEncodedWeight(const EncodedWeight &weight,
                               const std::vector<int64_t> &shape);

/// The float32 values of a well-formed weight (checkEncodedWeight), into
/// `out` (as many as `shape` has).
void decodeWeight(const EncodedWeight &weight,
                  const std::vector<int64_t> &shape, float *out);

/// IEEE half <-> float, round to nearest even.
float halfToFloat(uint16_t h);
uint16_t floatToHalf(float f);
/// bfloat16 <-> float, round to nearest even (NaN stays a quiet NaN).
float bfloat16ToFloat(uint16_t b);
uint16_t floatToBfloat16(float f);

} // namespace mlc::rt

#endif // MLC_RUNTIME_WEIGHTENCODING_H
