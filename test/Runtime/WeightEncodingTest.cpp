//===- WeightEncodingTest.cpp - Encoded weights, checked and decoded ------===//
//
// Packing at every width against a bit-by-bit packer written here, the half
// conversions against references computed independently (from the fields
// with ldexp; nearest of all halves by search), linear and palette layouts
// (channels, groups, odd starts), and checkEncodedWeight's refusals.
//
//===----------------------------------------------------------------------===//

#include "mlc/Runtime/WeightEncoding.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

using namespace mlc::rt;

namespace {

// Packs bit by bit: value i's bit b goes to stream bit i * bits + b.
std::vector<uint8_t> packBits(const std::vector<uint32_t> &values, int bits) {
  std::vector<uint8_t> bytes((values.size() * bits + 7) / 8, 0);
  for (size_t i = 0; i < values.size(); ++i)
    for (int b = 0; b < bits; ++b)
      if ((values[i] >> b) & 1) {
        size_t pos = i * bits + b;
        bytes[pos / 8] |= uint8_t(1u << (pos % 8));
      }
  return bytes;
}

int64_t countOf(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::vector<float> decode(const EncodedWeight &w,
                          const std::vector<int64_t> &shape) {
  std::string error = checkEncodedWeight(w, shape);
  EXPECT_EQ(error, "");
  // Exactly sized copies: out-of-bounds reads would show under ASan.
  std::vector<float> out(countOf(shape), -12345.0f);
  if (error.empty())
    decodeWeight(w, shape, out.data());
  return out;
}

float bitsToFloat(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
uint32_t floatToBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

// The half's value from its fields, in double.
double halfReference(uint16_t h) {
  int sign = h >> 15, exp = (h >> 10) & 31, mant = h & 1023;
  double v;
  if (exp == 31)
    v = mant ? std::numeric_limits<double>::quiet_NaN()
             : std::numeric_limits<double>::infinity();
  else if (exp == 0)
    v = std::ldexp(double(mant), -24);
  else
    v = std::ldexp(double(1024 + mant), exp - 25);
  return sign ? -v : v;
}

// The nearest half to a finite or infinite f, ties to the even encoding,
// searched among all non-negative finite halves (65520 and beyond: Inf).
uint16_t floatToHalfReference(float f) {
  static std::vector<double> values = [] {
    std::vector<double> v;
    for (uint32_t h = 0; h < 0x7c00; ++h)
      v.push_back(halfReference(uint16_t(h)));
    return v;
  }();
  uint16_t sign = std::signbit(f) ? 0x8000 : 0;
  double a = std::fabs(double(f));
  if (a >= 65520.0)
    return sign | 0x7c00;
  size_t hi = std::lower_bound(values.begin(), values.end(), a) - values.begin();
  if (hi == 0)
    return sign;
  size_t lo = hi - 1;
  if (hi == values.size())
    return sign | uint16_t(lo);
  double dl = a - values[lo], dh = values[hi] - a;
  if (dl < dh)
    return sign | uint16_t(lo);
  if (dh < dl)
    return sign | uint16_t(hi);
  return sign | uint16_t((lo & 1) ? hi : lo);
}

} // namespace

TEST(WeightEncoding, Names) {
  EXPECT_STREQ(weightEncodingName(WeightEncoding::raw), "raw");
  EXPECT_STREQ(weightEncodingName(WeightEncoding::fp16), "fp16");
  EXPECT_STREQ(weightEncodingName(WeightEncoding::linear), "linear");
  EXPECT_STREQ(weightEncodingName(WeightEncoding::palette), "palette");
}

TEST(WeightEncoding, PackedBytes) {
  EXPECT_EQ(packedBytes(0, 4), 0u);
  EXPECT_EQ(packedBytes(1, 1), 1u);
  EXPECT_EQ(packedBytes(8, 1), 1u);
  EXPECT_EQ(packedBytes(9, 1), 2u);
  EXPECT_EQ(packedBytes(3, 3), 2u);
  EXPECT_EQ(packedBytes(8, 3), 3u);
  EXPECT_EQ(packedBytes(7, 4), 4u);
  EXPECT_EQ(packedBytes(5, 8), 5u);
  EXPECT_EQ(packedBytes(int64_t(1) << 40, 5), size_t(5) << 37);
  for (int bits = 1; bits <= 8; ++bits)
    for (int64_t n = 0; n < 100; ++n)
      EXPECT_EQ(packedBytes(n, bits), size_t((n * bits + 7) / 8));
}

// Every width, counts around byte boundaries, through an identity LUT.
TEST(WeightEncoding, UnpackEveryWidth) {
  std::mt19937 rng(1);
  for (int bits = 1; bits <= 8; ++bits) {
    int levels = 1 << bits;
    std::vector<float> lut(levels);
    for (int i = 0; i < levels; ++i)
      lut[i] = float(i);
    for (int64_t n : {1, 2, 3, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1001}) {
      std::vector<uint32_t> values(n);
      for (auto &v : values)
        v = rng() % levels;
      values.back() = levels - 1; // The last bits set.
      std::vector<uint8_t> bytes = packBits(values, bits);
      EncodedWeight w;
      w.encoding = WeightEncoding::palette;
      w.bits = bits;
      w.lut = lut.data();
      w.lutCount = lut.size();
      w.bytes = bytes.data();
      w.byteCount = bytes.size();
      std::vector<float> out = decode(w, {n});
      for (int64_t i = 0; i < n; ++i)
        ASSERT_EQ(out[i], float(values[i])) << "bits " << bits << " n " << n
                                            << " i " << i;
    }
  }
}

// Groups along axis 0 and 1: runs start at odd elements and mid-byte.
TEST(WeightEncoding, PaletteGroups) {
  std::mt19937 rng(2);
  for (int bits = 1; bits <= 8; ++bits) {
    int levels = 1 << bits;
    struct Case {
      std::vector<int64_t> shape;
      int axis;
      int64_t groupChannels;
    };
    for (const Case &c : {Case{{3, 5}, 0, 1}, Case{{6, 7}, 0, 3},
                          Case{{2, 6, 3}, 1, 2}, Case{{3, 4, 1}, 2, 1},
                          Case{{5, 3}, 1, 1}, Case{{4, 3}, 1, 0}}) {
      int64_t n = countOf(c.shape);
      int64_t axisLen = c.shape[c.axis], inner = 1;
      for (size_t i = c.axis + 1; i < c.shape.size(); ++i)
        inner *= c.shape[i];
      int64_t groups = c.groupChannels ? axisLen / c.groupChannels : 1;
      std::vector<float> lut(groups * levels);
      for (size_t i = 0; i < lut.size(); ++i)
        lut[i] = float(i) * 0.5f - 3;
      std::vector<uint32_t> values(n);
      for (auto &v : values)
        v = rng() % levels;
      std::vector<uint8_t> bytes = packBits(values, bits);
      EncodedWeight w;
      w.encoding = WeightEncoding::palette;
      w.bits = bits;
      w.axis = c.axis;
      w.groupChannels = c.groupChannels;
      w.lut = lut.data();
      w.lutCount = lut.size();
      w.bytes = bytes.data();
      w.byteCount = bytes.size();
      std::vector<float> out = decode(w, c.shape);
      for (int64_t i = 0; i < n; ++i) {
        int64_t channel = (i / inner) % axisLen;
        int64_t g = c.groupChannels ? channel / c.groupChannels : 0;
        ASSERT_EQ(out[i], lut[g * levels + values[i]]) << "bits " << bits
                                                        << " i " << i;
      }
    }
  }
}

// Linear, signed and unsigned, per tensor and per channel, with short runs
// (arithmetic) and long ones (table).
TEST(WeightEncoding, Linear) {
  std::mt19937 rng(3);
  for (int bits = 1; bits <= 8; ++bits)
    for (bool isSigned : {false, true})
      for (auto [shape, axis] :
           std::vector<std::pair<std::vector<int64_t>, int>>{
               {{2, 3, 300}, 1}, {{3, 5, 2}, 2}, {{7, 3}, 0}, {{11}, 0}}) {
        int64_t n = countOf(shape), axisLen = shape[axis], inner = 1;
        for (size_t i = axis + 1; i < shape.size(); ++i)
          inner *= shape[i];
        int levels = 1 << bits;
        int32_t lo = isSigned ? -(levels / 2) : 0,
                hi = isSigned ? levels / 2 - 1 : levels - 1;
        for (bool perChannel : {false, true}) {
          size_t channels = perChannel ? axisLen : 1;
          std::vector<float> scales(channels);
          std::vector<int32_t> zps(channels);
          for (size_t c = 0; c < channels; ++c) {
            scales[c] = 0.25f * (c + 1);
            zps[c] = lo + int32_t(rng() % (hi - lo + 1));
          }
          std::vector<uint32_t> values(n);
          for (auto &v : values)
            v = rng() % levels;
          std::vector<uint8_t> bytes = packBits(values, bits);
          EncodedWeight w;
          w.encoding = WeightEncoding::linear;
          w.bits = bits;
          w.axis = axis;
          w.isSigned = isSigned;
          w.scales = scales.data();
          w.scaleCount = channels;
          w.zeroPoints = zps.data();
          w.zeroPointCount = channels;
          w.bytes = bytes.data();
          w.byteCount = bytes.size();
          std::vector<float> out = decode(w, shape);
          for (int64_t i = 0; i < n; ++i) {
            size_t c = perChannel ? (i / inner) % axisLen : 0;
            int32_t q = int32_t(values[i]);
            if (isSigned && q >= levels / 2)
              q -= levels;
            ASSERT_EQ(out[i], float(q - zps[c]) * scales[c])
                << "bits " << bits << " i " << i;
          }
          // Without zero points: all zero.
          w.zeroPointCount = 0;
          out = decode(w, shape);
          for (int64_t i = 0; i < n; ++i) {
            size_t c = perChannel ? (i / inner) % axisLen : 0;
            int32_t q = int32_t(values[i]);
            if (isSigned && q >= levels / 2)
              q -= levels;
            ASSERT_EQ(out[i], float(q) * scales[c]);
          }
        }
      }
}

TEST(WeightEncoding, RankZero) {
  float scale = 0.5f, lut[4] = {1, 2, 3, 4};
  uint8_t byte = 0xfe; // Signed 8 bits: -2; 2 bits: 2.
  EncodedWeight w;
  w.encoding = WeightEncoding::linear;
  w.bits = 8;
  w.isSigned = true;
  w.scales = &scale;
  w.scaleCount = 1;
  w.bytes = &byte;
  w.byteCount = 1;
  EXPECT_EQ(decode(w, {}), std::vector<float>{-1.0f});
  w = EncodedWeight();
  w.encoding = WeightEncoding::palette;
  w.bits = 2;
  w.lut = lut;
  w.lutCount = 4;
  w.bytes = &byte;
  w.byteCount = 1;
  EXPECT_EQ(decode(w, {}), std::vector<float>{3.0f});
}

TEST(WeightEncoding, RawAndFP16) {
  std::vector<float> values = {1.5f, -2.0f, 0.0f, 65504.0f, 1e-7f};
  EncodedWeight w;
  w.encoding = WeightEncoding::raw;
  w.bytes = reinterpret_cast<const uint8_t *>(values.data());
  w.byteCount = values.size() * 4;
  EXPECT_EQ(decode(w, {5}), values);
  std::vector<uint8_t> bytes;
  for (float v : values) {
    uint16_t h = floatToHalf(v);
    bytes.push_back(uint8_t(h));
    bytes.push_back(uint8_t(h >> 8));
  }
  w.encoding = WeightEncoding::fp16;
  w.bytes = bytes.data();
  w.byteCount = bytes.size();
  std::vector<float> out = decode(w, {5, 1});
  for (size_t i = 0; i < values.size(); ++i)
    EXPECT_EQ(out[i], halfToFloat(floatToHalf(values[i])));
  EXPECT_EQ(out[0], 1.5f);
  EXPECT_EQ(out[3], 65504.0f);
  EXPECT_EQ(out[4], float(halfReference(2))); // 1e-7: the subnormal 2^-23.
}

// All 65536 halves: the value from the fields, and back again.
TEST(WeightEncoding, HalfToFloatExhaustive) {
  for (uint32_t h = 0; h < 65536; ++h) {
    float f = halfToFloat(uint16_t(h));
    double ref = halfReference(uint16_t(h));
    if (std::isnan(ref)) {
      ASSERT_TRUE(std::isnan(f)) << h;
      ASSERT_EQ(floatToBits(f) >> 31, h >> 15) << h;
      ASSERT_TRUE(std::isnan(halfToFloat(floatToHalf(f))));
      continue;
    }
    ASSERT_EQ(double(f), ref) << h;
    ASSERT_EQ(std::signbit(f), bool(h >> 15)) << h;
    ASSERT_EQ(floatToHalf(f), h) << h;
  }
}

// Float to half: the midpoints between consecutive halves (ties), a float
// either side of each, and random floats, against the nearest-half search.
TEST(WeightEncoding, FloatToHalfRounding) {
  std::vector<float> cases = {0.0f, -0.0f, 65504.0f, 65519.996f, 65520.0f,
                              1e10f, -1e10f,
                              std::numeric_limits<float>::infinity(),
                              -std::numeric_limits<float>::infinity(),
                              std::numeric_limits<float>::denorm_min(),
                              std::numeric_limits<float>::min(),
                              0x1.0p-25f, 0x1.0000002p-25f, 0x1.0p-24f,
                              0x1.8p-24f, 0x1.0p-14f, 0x1.ff8p-15f};
  for (uint32_t h = 0; h < 0x7c00; ++h) {
    double a = halfReference(uint16_t(h)),
           b = h + 1 < 0x7c00 ? halfReference(uint16_t(h + 1)) : 65536.0;
    float mid = float(0.5 * (a + b)); // Exact in float.
    for (float f : {mid, std::nextafter(mid, 0.0f),
                    std::nextafter(mid, 1e30f)}) {
      cases.push_back(f);
      cases.push_back(-f);
    }
  }
  std::mt19937 rng(4);
  for (int i = 0; i < 200000; ++i) {
    uint32_t u = rng();
    // Exponents around half's range, mostly.
    u = (u & 0x807fffff) | ((90 + rng() % 60) << 23);
    cases.push_back(bitsToFloat(u));
  }
  for (float f : cases)
    ASSERT_EQ(floatToHalf(f), floatToHalfReference(f))
        << f << " bits " << std::hex << floatToBits(f);
  // NaN stays NaN (quiet), with its sign.
  uint16_t nan = floatToHalf(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(nan & 0x7c00, 0x7c00);
  EXPECT_NE(nan & 0x3ff, 0);
  EXPECT_NE(floatToHalf(bitsToFloat(0x7f800001)) & 0x3ff, 0); // Signaling.
  EXPECT_EQ(floatToHalf(-std::numeric_limits<float>::quiet_NaN()) >> 15, 1);
}

// Each malformation is refused with a message, and the well-formed base
// accepted.
TEST(WeightEncoding, CheckRefusals) {
  std::vector<int64_t> shape = {4, 3};
  std::vector<float> scales(4, 0.5f), lut(2 * 16, 1.0f);
  std::vector<int32_t> zps(4, 1);
  std::vector<uint8_t> bytes(12);
  EncodedWeight linear;
  linear.encoding = WeightEncoding::linear;
  linear.bits = 8;
  linear.scales = scales.data();
  linear.scaleCount = 4;
  linear.zeroPoints = zps.data();
  linear.zeroPointCount = 4;
  linear.bytes = bytes.data();
  linear.byteCount = 12;
  EXPECT_EQ(checkEncodedWeight(linear, shape), "");
  EncodedWeight palette;
  palette.encoding = WeightEncoding::palette;
  palette.bits = 4;
  palette.groupChannels = 2;
  palette.lut = lut.data();
  palette.lutCount = 32;
  palette.bytes = bytes.data();
  palette.byteCount = 6;
  EXPECT_EQ(checkEncodedWeight(palette, shape), "");

  auto refused = [&](EncodedWeight w, std::vector<int64_t> s,
                     const char *what) {
    EXPECT_NE(checkEncodedWeight(w, s), "") << what;
  };
  auto withL = [&](auto edit) { EncodedWeight w = linear; edit(w); return w; };
  auto withP = [&](auto edit) { EncodedWeight w = palette; edit(w); return w; };
  refused(withL([](auto &w) { w.bits = 0; }), shape, "bits 0");
  refused(withL([](auto &w) { w.bits = 9; w.byteCount = 14; }), shape, "bits 9");
  refused(withP([](auto &w) { w.bits = 9; }), shape, "palette bits 9");
  refused(withL([](auto &w) { w.axis = 2; }), shape, "axis past rank");
  refused(withL([](auto &w) { w.axis = -1; }), shape, "negative axis");
  refused(withL([](auto &w) { w.scaleCount = 3; w.zeroPointCount = 3; }), shape,
          "scales for the wrong dimension");
  refused(withL([](auto &w) { w.scaleCount = 0; w.zeroPointCount = 0; }), shape,
          "no scales");
  refused(withL([](auto &w) { w.zeroPointCount = 1; }), shape,
          "zero points != scales");
  refused(withL([](auto &w) { w.byteCount = 11; }), shape, "bytes short");
  refused(withL([](auto &w) { w.byteCount = 13; }), shape, "bytes long");
  refused(withL([](auto &w) { w.bytes = nullptr; }), shape, "null bytes");
  refused(withL([](auto &w) { w.scales = nullptr; }), shape, "null scales");
  refused(withL([](auto &w) { w.zeroPoints = nullptr; }), shape,
          "null zero points");
  std::vector<float> bad = scales;
  bad[2] = std::numeric_limits<float>::quiet_NaN();
  refused(withL([&](auto &w) { w.scales = bad.data(); }), shape, "NaN scale");
  bad[2] = std::numeric_limits<float>::infinity();
  refused(withL([&](auto &w) { w.scales = bad.data(); }), shape, "inf scale");
  std::vector<int32_t> badZps = {0, 0, 300, 0};
  refused(withL([&](auto &w) { w.zeroPoints = badZps.data(); }), shape,
          "zero point beyond 8 bits");
  refused(withL([](auto &w) { w.scaleCount = 1; w.zeroPointCount = 1; }), {},
          "rank 0 with bytes for 12");
  {
    EncodedWeight w = linear;
    w.scaleCount = 1;
    w.zeroPointCount = 0;
    w.axis = 1;
    w.byteCount = 1;
    refused(w, {}, "rank 0 with an axis");
    w.axis = 0;
    w.scaleCount = 4;
    refused(w, {}, "rank 0 per channel");
    w.scaleCount = 1;
    EXPECT_EQ(checkEncodedWeight(w, {}), "");
  }
  refused(linear, {4, -3}, "negative dimension");
  refused(linear, {int64_t(1) << 40, int64_t(1) << 40}, "count overflow");
  refused(linear, {4, 3, int64_t(1) << 61}, "count * 8 overflow");
  refused(withL([](auto &w) { w.encoding = WeightEncoding(7); }), shape,
          "unknown encoding");
  refused(withP([](auto &w) { w.lutCount = 16; }), shape, "LUT short");
  refused(withP([](auto &w) { w.lutCount = 33; }), shape, "LUT long");
  refused(withP([](auto &w) { w.lut = nullptr; }), shape, "null LUT");
  refused(withP([](auto &w) { w.groupChannels = 3; }), shape,
          "groupChannels not dividing");
  refused(withP([](auto &w) { w.groupChannels = -1; }), shape,
          "negative groupChannels");
  refused(withP([](auto &w) { w.groupChannels = 0; }), shape,
          "one LUT expected, two given");
  refused(withP([](auto &w) { w.byteCount = 5; }), shape, "palette bytes");
  refused(withP([](auto &w) { w.groupChannels = 1; w.lutCount = 16; }), {},
          "groups on rank 0");
  EncodedWeight half;
  half.encoding = WeightEncoding::fp16;
  half.bytes = bytes.data();
  half.byteCount = 12;
  EXPECT_EQ(checkEncodedWeight(half, {2, 3}), "");
  half.bits = 5; // Ignored.
  EXPECT_EQ(checkEncodedWeight(half, {2, 3}), "");
  refused(half, {2, 2}, "fp16 bytes");
  half.bytes = nullptr;
  refused(half, {2, 3}, "fp16 null bytes");
  EncodedWeight raw;
  raw.bytes = bytes.data();
  raw.byteCount = 12;
  EXPECT_EQ(checkEncodedWeight(raw, {3}), "");
  refused(raw, {4}, "raw bytes");
  // Empty tensors need no bytes.
  EncodedWeight empty = linear;
  empty.bytes = nullptr;
  empty.byteCount = 0;
  empty.scaleCount = 1;
  empty.zeroPointCount = 0;
  EXPECT_EQ(checkEncodedWeight(empty, {0, 3}), "");
}
