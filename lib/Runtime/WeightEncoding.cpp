//===- WeightEncoding.cpp - Quantized weights, decoded --------------------===//
//
// Decoding runs at load over every weight of a model (tens of millions of
// values), so the inner loops are plain: each contiguous run of elements
// that shares one table (a channel's, a group's, the tensor's) maps its
// packed indices through that table, with bits = 8 and bits = 4 unpacked
// directly from the bytes.
//
//===----------------------------------------------------------------------===//

#include "mlc/Runtime/WeightEncoding.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace mlc::rt {

const char *weightEncodingName(WeightEncoding encoding) {
  switch (encoding) {
  case WeightEncoding::raw: return "raw";
  case WeightEncoding::fp16: return "fp16";
  case WeightEncoding::linear: return "linear";
  case WeightEncoding::palette: return "palette";
  }
  return "unknown";
}

size_t packedBytes(int64_t count, int bits) {
  if (count <= 0 || bits <= 0)
    return 0;
  // count / 8 * bits cannot overflow for bits <= 64.
  uint64_t n = static_cast<uint64_t>(count);
  uint64_t b = static_cast<uint64_t>(bits);
  return static_cast<size_t>(n / 8 * b + (n % 8 * b + 7) / 8);
}

//===----------------------------------------------------------------------===//
// Half floats
//===----------------------------------------------------------------------===//

float halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  uint32_t bits;
  if (exp == 0) {
    // Zero or subnormal: mant units of 2^-24, exact in float.
    float v = static_cast<float>(mant) * 5.9604644775390625e-8f;
    return sign ? -v : v;
  }
  if (exp == 31) // Inf, or NaN with its payload.
    bits = sign | 0x7f800000 | (mant << 13);
  else
    bits = sign | ((exp - 15 + 127) << 23) | (mant << 13);
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t floatToHalf(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  uint16_t sign = (bits >> 16) & 0x8000;
  uint32_t abs = bits & 0x7fffffff;
  if (abs >= 0x7f800000) // Inf, or NaN (made quiet, payload dropped).
    return sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 : 0);
  if (abs >= 0x47800000) // >= 65536: overflows to Inf.
    return sign | 0x7c00;
  if (abs < 0x38800000) { // Below the smallest normal half: subnormal.
    uint32_t exp = abs >> 23;
    if (exp < 102) // Below 2^-25: rounds to zero.
      return sign;
    // The value in units of 2^-24 is mant * 2^(exp - 126): shift right.
    uint32_t mant = (abs & 0x7fffff) | 0x800000;
    uint32_t shift = 126 - exp; // 14..24
    uint32_t q = mant >> shift;
    uint32_t rest = mant & ((1u << shift) - 1), halfway = 1u << (shift - 1);
    if (rest > halfway || (rest == halfway && (q & 1)))
      ++q; // 1024 (the smallest normal) is the right encoding too.
    return sign | static_cast<uint16_t>(q);
  }
  uint32_t mant = abs & 0x7fffff;
  uint32_t half = (((abs >> 23) - 127 + 15) << 10) | (mant >> 13);
  uint32_t rest = mant & 0x1fff;
  // Round to nearest even; a carry into the exponent (even to Inf) is right.
  if (rest > 0x1000 || (rest == 0x1000 && (half & 1)))
    ++half;
  return sign | static_cast<uint16_t>(half);
}

//===----------------------------------------------------------------------===//
// Checking
//===----------------------------------------------------------------------===//

namespace {

std::string str(int64_t v) { return std::to_string(v); }

// The element count of `shape`, or -1 (with `error` set) when a dimension is
// negative or the count (times 8 bytes) overflows.
int64_t elementCount(const std::vector<int64_t> &shape, std::string &error) {
  int64_t count = 1;
  for (int64_t d : shape) {
    if (d < 0) {
      error = "negative dimension " + str(d);
      return -1;
    }
    if (__builtin_mul_overflow(count, d, &count) ||
        count > std::numeric_limits<int64_t>::max() / 8) {
      error = "element count overflows";
      return -1;
    }
  }
  return count;
}

} // namespace

std::string checkEncodedWeight(const EncodedWeight &w,
                               const std::vector<int64_t> &shape) {
  std::string error;
  int64_t count = elementCount(shape, error);
  if (count < 0)
    return error;
  if (static_cast<uint64_t>(count) * 4 > std::numeric_limits<size_t>::max())
    return "element count overflows";
  if (w.byteCount > 0 && !w.bytes)
    return "null bytes for " + str(w.byteCount) + " bytes";
  auto expectBytes = [&](size_t expected) -> std::string {
    if (w.byteCount != expected)
      return std::string(weightEncodingName(w.encoding)) + " weight of " +
             str(count) + " elements has " + std::to_string(w.byteCount) +
             " bytes, expected " + std::to_string(expected);
    return "";
  };
  switch (w.encoding) {
  case WeightEncoding::raw:
    return expectBytes(static_cast<size_t>(count) * 4);
  case WeightEncoding::fp16:
    return expectBytes(static_cast<size_t>(count) * 2);
  case WeightEncoding::linear:
  case WeightEncoding::palette:
    break;
  default:
    return "unknown encoding " + str(static_cast<int>(w.encoding));
  }

  if (w.bits < 1 || w.bits > 8)
    return "bits " + str(w.bits) + " outside 1..8";
  int64_t rank = static_cast<int64_t>(shape.size());
  // A rank-0 tensor has no axis: only axis 0 and one scale or LUT.
  if (w.axis < 0 || (rank > 0 && w.axis >= rank) || (rank == 0 && w.axis != 0))
    return "axis " + str(w.axis) + " outside a tensor of rank " + str(rank);
  int64_t axisLen = rank > 0 ? shape[w.axis] : 1;
  std::string bytesError = expectBytes(packedBytes(count, w.bits));
  if (!bytesError.empty())
    return bytesError;

  if (w.encoding == WeightEncoding::linear) {
    if (w.scaleCount != 1 &&
        (rank == 0 || w.scaleCount != static_cast<uint64_t>(axisLen)))
      return str(w.scaleCount) + " scales, expected 1 or " + str(axisLen) +
             " (dimension " + str(w.axis) + ")";
    if (w.scaleCount > 0 && !w.scales)
      return "null scales";
    if (w.zeroPointCount != 0 && w.zeroPointCount != w.scaleCount)
      return str(w.zeroPointCount) + " zero points for " + str(w.scaleCount) +
             " scales";
    if (w.zeroPointCount > 0 && !w.zeroPoints)
      return "null zero points";
    for (size_t i = 0; i < w.scaleCount; ++i)
      if (!std::isfinite(w.scales[i]))
        return "scale " + std::to_string(i) + " is not finite";
    // Zero points within the range of the stored integers (so q - zero point
    // is exact).
    int64_t lo = w.isSigned ? -(int64_t(1) << (w.bits - 1)) : 0;
    int64_t hi = w.isSigned ? (int64_t(1) << (w.bits - 1)) - 1
                            : (int64_t(1) << w.bits) - 1;
    for (size_t i = 0; i < w.zeroPointCount; ++i)
      if (w.zeroPoints[i] < lo || w.zeroPoints[i] > hi)
        return "zero point " + str(w.zeroPoints[i]) + " outside " + str(lo) +
               ".." + str(hi);
    return "";
  }

  // Palette.
  int64_t groups = 1;
  if (w.groupChannels < 0)
    return "negative groupChannels " + str(w.groupChannels);
  if (w.groupChannels > 0) {
    if (rank == 0)
      return "groupChannels on a rank-0 tensor";
    if (axisLen % w.groupChannels != 0)
      return "groupChannels " + str(w.groupChannels) +
             " does not divide dimension " + str(w.axis) + " (" +
             str(axisLen) + ")";
    groups = axisLen / w.groupChannels;
  }
  uint64_t expectedLut = static_cast<uint64_t>(groups) << w.bits;
  if (w.lutCount != expectedLut)
    return "LUT of " + std::to_string(w.lutCount) + " values, expected " +
           std::to_string(expectedLut) + " (" + str(groups) + " groups of " +
           str(int64_t(1) << w.bits) + ")";
  if (w.lutCount > 0 && !w.lut)
    return "null LUT";
  return "";
}

//===----------------------------------------------------------------------===//
// Decoding
//===----------------------------------------------------------------------===//

namespace {

// Calls f(i, q) for the `n` packed values of `bits` bits from element
// `start` on (i from 0). Reads only the bytes holding those values.
template <typename F>
inline void forEachPacked(const uint8_t *bytes, int bits, int64_t start,
                          int64_t n, F &&f) {
  if (n <= 0)
    return;
  if (bits == 8) {
    const uint8_t *p = bytes + start;
    for (int64_t i = 0; i < n; ++i)
      f(i, p[i]);
    return;
  }
  if (bits == 4) {
    const uint8_t *p = bytes + start / 2;
    int64_t i = 0;
    if (start & 1)
      f(i++, static_cast<uint8_t>(*p++ >> 4));
    for (; i + 1 < n; i += 2, ++p) {
      uint8_t b = *p;
      f(i, static_cast<uint8_t>(b & 15));
      f(i + 1, static_cast<uint8_t>(b >> 4));
    }
    if (i < n)
      f(i, static_cast<uint8_t>(*p & 15));
    return;
  }
  uint64_t bitPos = static_cast<uint64_t>(start) * bits;
  const uint8_t *p = bytes + (bitPos >> 3);
  unsigned shift = bitPos & 7;
  uint32_t acc = *p++ >> shift;
  unsigned have = 8 - shift;
  uint32_t mask = (1u << bits) - 1;
  for (int64_t i = 0; i < n; ++i) {
    if (have < static_cast<unsigned>(bits)) {
      acc |= uint32_t(*p++) << have;
      have += 8;
    }
    f(i, static_cast<uint8_t>(acc & mask));
    acc >>= bits;
    have -= bits;
  }
}

// out[i] = table[q_i] for n packed values from element `start`.
void lookupRun(const uint8_t *bytes, int bits, int64_t start, int64_t n,
               const float *table, float *out) {
  forEachPacked(bytes, bits, start, n,
                [&](int64_t i, uint8_t q) { out[i] = table[q]; });
}

// The value of stored integer q (sign-extended when `isSigned`).
inline int32_t storedInt(uint8_t q, int bits, bool isSigned) {
  int32_t v = q;
  if (isSigned && (v >> (bits - 1)))
    v -= 1 << bits;
  return v;
}

// Linear: out[i] = (q_i - zeroPoint) * scale over one run.
void linearRun(const EncodedWeight &w, int64_t start, int64_t n, float scale,
               int32_t zeroPoint, float *out) {
  int levels = 1 << w.bits;
  if (n >= levels) {
    // Long run: through a table of every level (same arithmetic).
    float table[256];
    for (int q = 0; q < levels; ++q)
      table[q] = static_cast<float>(storedInt(q, w.bits, w.isSigned) -
                                    zeroPoint) * scale;
    lookupRun(w.bytes, w.bits, start, n, table, out);
    return;
  }
  int bits = w.bits;
  bool isSigned = w.isSigned;
  forEachPacked(w.bytes, bits, start, n, [&](int64_t i, uint8_t q) {
    out[i] = static_cast<float>(storedInt(q, bits, isSigned) - zeroPoint) *
             scale;
  });
}

} // namespace

void decodeWeight(const EncodedWeight &w, const std::vector<int64_t> &shape,
                  float *out) {
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  if (count <= 0)
    return;
  switch (w.encoding) {
  case WeightEncoding::raw:
    std::memcpy(out, w.bytes, static_cast<size_t>(count) * 4);
    return;
  case WeightEncoding::fp16: {
    const uint8_t *p = w.bytes;
    for (int64_t i = 0; i < count; ++i)
      out[i] = halfToFloat(static_cast<uint16_t>(p[2 * i] | (p[2 * i + 1] << 8)));
    return;
  }
  default:
    break;
  }

  // outer x axisLen x inner elements.
  int64_t rank = static_cast<int64_t>(shape.size());
  int64_t axisLen = rank > 0 ? shape[w.axis] : 1, inner = 1;
  for (int64_t i = w.axis + 1; i < rank; ++i)
    inner *= shape[i];
  int64_t outer = count / (axisLen * inner);

  if (w.encoding == WeightEncoding::linear) {
    if (w.scaleCount == 1) {
      linearRun(w, 0, count, w.scales[0],
                w.zeroPointCount ? w.zeroPoints[0] : 0, out);
      return;
    }
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t c = 0; c < axisLen; ++c) {
        int64_t start = (o * axisLen + c) * inner;
        linearRun(w, start, inner, w.scales[c],
                  w.zeroPointCount ? w.zeroPoints[c] : 0, out + start);
      }
    return;
  }

  // Palette.
  if (w.groupChannels == 0) {
    lookupRun(w.bytes, w.bits, 0, count, w.lut, out);
    return;
  }
  int64_t groups = axisLen / w.groupChannels;
  int64_t run = w.groupChannels * inner;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t g = 0; g < groups; ++g) {
      int64_t start = (o * axisLen + g * w.groupChannels) * inner;
      lookupRun(w.bytes, w.bits, start, run, w.lut + (g << w.bits),
                out + start);
    }
}

float bfloat16ToFloat(uint16_t b) {
  uint32_t bits = uint32_t(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t floatToBfloat16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  if ((bits & 0x7fffffff) > 0x7f800000)
    return static_cast<uint16_t>((bits >> 16) | 0x40);
  bits += 0x7fff + ((bits >> 16) & 1);
  return static_cast<uint16_t>(bits >> 16);
}

} // namespace mlc::rt
