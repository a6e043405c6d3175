//===- QuantizersTest.cpp - fp16, linear and palette quantizers -----------===//
//
// Each quantizer's output is well formed (checkEncodedWeight) and decodes
// within its error bound: linear within half a step, palettes exactly when
// the values are few, and with an SNR that grows with the bits otherwise.
//
//===----------------------------------------------------------------------===//

#include "mlc/Quantization/Quantizers.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <random>
#include <set>

using namespace mlc;
using namespace mlc::quant;

namespace {

int64_t countOf(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::vector<float> gaussian(int64_t n, uint32_t seed, float sigma = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, sigma);
  std::vector<float> v(n);
  for (float &x : v)
    x = dist(rng);
  return v;
}

std::vector<float> decodeChecked(const Quantized &q,
                                 const std::vector<int64_t> &shape) {
  EXPECT_EQ(rt::checkEncodedWeight(q.view(), shape), "");
  return q.decode(shape);
}

// The stored integer of element i (linear), sign-extended.
int32_t storedInt(const Quantized &q, int64_t i) {
  uint64_t bit = uint64_t(i) * q.bits;
  uint32_t v = 0;
  for (int b = 0; b < q.bits; ++b, ++bit)
    v |= uint32_t((q.bytes[bit / 8] >> (bit % 8)) & 1) << b;
  int32_t s = int32_t(v);
  if (q.isSigned && (s >> (q.bits - 1)))
    s -= 1 << q.bits;
  return s;
}

} // namespace

TEST(Quantizers, FP16) {
  std::vector<float> values = {0.0f, 1.0f, -2.5f, 1e-6f, 65504.0f, 1e6f, -1e6f,
                               0.1f};
  Quantized q = toFP16(values.data(), {2, 4});
  EXPECT_EQ(q.encoding, rt::WeightEncoding::fp16);
  EXPECT_EQ(q.bytes.size(), 16u);
  EXPECT_EQ(q.storedBytes(), 16u);
  std::vector<float> out = decodeChecked(q, {2, 4});
  EXPECT_EQ(out[1], 1.0f);
  EXPECT_EQ(out[2], -2.5f);
  EXPECT_EQ(out[4], 65504.0f);
  EXPECT_EQ(out[5], std::numeric_limits<float>::infinity());
  EXPECT_EQ(out[6], -std::numeric_limits<float>::infinity());
  EXPECT_NEAR(out[3], 1e-6f, 3e-8f);
  EXPECT_NEAR(out[7], 0.1f, 1e-4f);
}

// Every mode at 8, 4 and 2 bits: within half a step of the input, zero
// exact, integers in range.
TEST(Quantizers, LinearErrorBound) {
  std::vector<int64_t> shape = {6, 5, 3, 3};
  int64_t n = countOf(shape);
  std::vector<float> values = gaussian(n, 1);
  // Channels (along axis 0 and 1) of different magnitudes; some positive.
  for (int64_t i = 0; i < n; ++i) {
    int64_t c0 = i / 45, c1 = (i / 9) % 5;
    values[i] *= float(c0 + 1) * (c1 + 1) * 0.1f;
    if (c0 == 2)
      values[i] = std::fabs(values[i]) + 0.5f;
  }
  for (int bits : {8, 4, 2})
    for (bool symmetric : {true, false})
      for (bool perChannel : {true, false})
        for (int axis : {0, 1}) {
          LinearOptions options;
          options.bits = bits;
          options.symmetric = symmetric;
          options.perChannel = perChannel;
          options.axis = axis;
          Quantized q = quantizeLinear(values.data(), shape, options);
          SCOPED_TRACE(testing::Message() << "bits " << bits << " symmetric "
                                          << symmetric << " perChannel "
                                          << perChannel << " axis " << axis);
          EXPECT_EQ(q.encoding, rt::WeightEncoding::linear);
          EXPECT_EQ(q.isSigned, symmetric);
          EXPECT_EQ(q.scales.size(), perChannel ? size_t(shape[axis]) : 1u);
          EXPECT_EQ(q.bytes.size(), rt::packedBytes(n, bits));
          if (symmetric) {
            EXPECT_TRUE(q.zeroPoints.empty());
          }
          std::vector<float> out = decodeChecked(q, shape);
          int64_t inner = axis == 0 ? 45 : 9;
          int32_t qmax = symmetric ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
          int32_t qmin = symmetric ? -qmax : 0;
          for (int64_t i = 0; i < n; ++i) {
            size_t c = perChannel ? (i / inner) % shape[axis] : 0;
            float scale = q.scales[c];
            // Rounded to nearest, or the other way to keep the channel's
            // sum: less than one step either way.
            ASSERT_LE(std::fabs(values[i] - out[i]),
                      scale * (1 + 1e-5f) + 1e-7f)
                << i;
            int32_t s = storedInt(q, i);
            ASSERT_GE(s, qmin);
            ASSERT_LE(s, qmax);
          }
          // Each channel's errors sum to at most half a step.
          if (symmetric && perChannel) {
            std::vector<double> sums(shape[axis], 0.0);
            for (int64_t i = 0; i < n; ++i)
              sums[(i / inner) % shape[axis]] += double(out[i]) - values[i];
            for (size_t c = 0; c < sums.size(); ++c)
              EXPECT_LE(std::fabs(sums[c]), q.scales[c] * 0.5 * (1 + 1e-4))
                  << "channel " << c;
          }
          // Zero is exact: decode the zero point of each channel.
          for (size_t c = 0; c < q.scales.size(); ++c) {
            int32_t zp = q.zeroPoints.empty() ? 0 : q.zeroPoints[c];
            EXPECT_EQ(float(zp - zp) * q.scales[c], 0.0f);
            EXPECT_GE(zp, qmin);
            EXPECT_LE(zp, qmax);
          }
          // The largest magnitude (symmetric) or the range's ends
          // (asymmetric) use the extreme integers somewhere.
          int32_t seenMax = std::numeric_limits<int32_t>::min();
          for (int64_t i = 0; i < n; ++i)
            seenMax = std::max(seenMax, std::abs(storedInt(q, i)));
          EXPECT_EQ(seenMax, qmax);
        }
}

TEST(Quantizers, LinearZeroChannelAndRounding) {
  // Channel 1 all zero: scale 1, zeros back.
  std::vector<float> values = {127, -1.5f, 2.5f, 0.5f, 0, 0, 0, 0};
  LinearOptions options;
  Quantized q = quantizeLinear(values.data(), {2, 4}, options);
  ASSERT_EQ(q.scales.size(), 2u);
  EXPECT_EQ(q.scales[0], 1.0f);
  EXPECT_EQ(q.scales[1], 1.0f);
  std::vector<float> out = decodeChecked(q, {2, 4});
  // Half to even gives -1.5 -> -2, 2.5 -> 2, 0.5 -> 0: errors summing to
  // -1.5 steps; the two roundings nearest to going up do, keeping the sum
  // within half a step (128.5 -> 129).
  EXPECT_EQ(out, (std::vector<float>{127, -1, 3, 0, 0, 0, 0, 0}));
  options.symmetric = false;
  std::vector<float> zeros(8, 0.0f);
  q = quantizeLinear(zeros.data(), {2, 4}, options);
  EXPECT_EQ(q.scales, (std::vector<float>{1.0f, 1.0f}));
  EXPECT_TRUE(q.zeroPoints.empty());
  EXPECT_EQ(decodeChecked(q, {2, 4}), zeros);
  // Non-negative channels need no zero point; a negative minimum does.
  std::vector<float> positive = {0, 1, 2, 3, 4, 5, 6, 255};
  q = quantizeLinear(positive.data(), {8}, options);
  EXPECT_TRUE(q.zeroPoints.empty());
  EXPECT_EQ(decodeChecked(q, {8}), positive);
  std::vector<float> shifted = {-10, 0, 10, 245};
  options.perChannel = false;
  q = quantizeLinear(shifted.data(), {4}, options);
  ASSERT_EQ(q.zeroPoints.size(), 1u);
  EXPECT_EQ(q.zeroPoints[0], 10);
  EXPECT_EQ(decodeChecked(q, {4}), shifted);
  // Rank 0 and empty tensors.
  float one = 3.0f;
  q = quantizeLinear(&one, {}, LinearOptions());
  EXPECT_EQ(decodeChecked(q, {}), std::vector<float>{3.0f});
  q = quantizeLinear(nullptr, {0, 4}, LinearOptions());
  EXPECT_EQ(decodeChecked(q, {0, 4}).size(), 0u);
}

TEST(Quantizers, InvalidOptions) {
  std::vector<float> values(12, 1.0f);
  LinearOptions linear;
  linear.bits = 9;
  EXPECT_THROW(quantizeLinear(values.data(), {3, 4}, linear),
               std::invalid_argument);
  linear.bits = 1; // Symmetric needs 2.
  EXPECT_THROW(quantizeLinear(values.data(), {3, 4}, linear),
               std::invalid_argument);
  linear.bits = 8;
  linear.axis = 2;
  EXPECT_THROW(quantizeLinear(values.data(), {3, 4}, linear),
               std::invalid_argument);
  linear.axis = -1; // Counted from the end: fine.
  EXPECT_EQ(quantizeLinear(values.data(), {3, 4}, linear).axis, 1);
  PaletteOptions palette;
  palette.bits = 0;
  EXPECT_THROW(palettize(values.data(), {3, 4}, palette),
               std::invalid_argument);
  palette.bits = 2;
  palette.groupChannels = 2;
  EXPECT_THROW(palettize(values.data(), {3, 4}, palette),
               std::invalid_argument);
  values[3] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(palettize(values.data(), {12}, PaletteOptions()),
               std::invalid_argument);
  EXPECT_THROW(quantizeLinear(values.data(), {12}, LinearOptions()),
               std::invalid_argument);
}

// A group with at most 2^bits distinct values is stored exactly.
TEST(Quantizers, PaletteLossless) {
  std::mt19937 rng(5);
  for (int bits : {1, 2, 4, 8}) {
    int distinct = 1 << bits;
    for (int used : {1, distinct / 2 + 1, distinct}) {
      std::vector<float> levels(used);
      for (float &l : levels)
        l = std::ldexp(float(rng() % 100000) - 50000.0f, -10);
      std::vector<float> values(3000);
      for (float &v : values)
        v = levels[rng() % used];
      PaletteOptions options;
      options.bits = bits;
      Quantized q = palettize(values.data(), {30, 100}, options);
      EXPECT_EQ(q.lut.size(), size_t(distinct));
      std::vector<float> out = decodeChecked(q, {30, 100});
      EXPECT_EQ(out, values) << "bits " << bits << " used " << used;
    }
  }
  // Neighbouring floats stay apart.
  std::vector<float> close = {1.0f, std::nextafter(1.0f, 2.0f), 1.0f,
                              std::nextafter(1.0f, 0.0f)};
  PaletteOptions options;
  options.bits = 2;
  EXPECT_EQ(decodeChecked(palettize(close.data(), {4}, options), {4}), close);
}

// SNR on Gaussian values grows with the bits.
TEST(Quantizers, PaletteSNR) {
  std::vector<float> values = gaussian(200000, 6, 0.05f);
  double previous = 0;
  for (int bits = 1; bits <= 8; ++bits) {
    PaletteOptions options;
    options.bits = bits;
    Quantized q = palettize(values.data(), {200, 1000}, options);
    std::vector<float> out = decodeChecked(q, {200, 1000});
    double snr = snrDb(values.data(), out.data(), values.size());
    std::cout << "palette " << bits << " bits: " << snr << " dB\n";
    EXPECT_GT(snr, previous + 3) << bits;
    previous = snr;
    // 1-D k-means on a Gaussian approaches Lloyd-Max: 4.4 dB at 1 bit,
    // 20.2 at 4, 6 dB a bit beyond.
    double bound = bits == 1 ? 4.0 : bits == 2 ? 9.0 : bits == 4 ? 19.5
                 : bits == 8 ? 40.0 : 0.0;
    EXPECT_GT(snr, bound) << bits;
  }
}

// One LUT per group of channels, along axis 0 or 1.
TEST(Quantizers, PaletteGroups) {
  std::vector<int64_t> shape = {8, 6, 3, 3};
  int64_t n = countOf(shape);
  for (int axis : {0, 1}) {
    std::vector<float> values = gaussian(n, 7);
    int64_t inner = axis == 0 ? 54 : 9, axisLen = shape[axis];
    // Channel c has 2 distinct values per group of 2 channels: exact at 2
    // bits only when the LUTs are per group.
    for (int64_t i = 0; i < n; ++i) {
      int64_t c = (i / inner) % axisLen;
      values[i] = float(c / 2 * 10 + (values[i] > 0 ? 1 : 0) + (c % 2) * 3);
    }
    PaletteOptions options;
    options.bits = 2;
    options.axis = axis;
    options.groupChannels = 2;
    Quantized q = palettize(values.data(), shape, options);
    EXPECT_EQ(q.axis, axis);
    EXPECT_EQ(q.lut.size(), size_t(axisLen / 2 * 4));
    EXPECT_EQ(decodeChecked(q, shape), values);
    options.groupChannels = 0;
    q = palettize(values.data(), shape, options);
    EXPECT_EQ(q.lut.size(), 4u);
    std::vector<float> out = decodeChecked(q, shape);
    EXPECT_NE(out, values);
    options.groupChannels = 1;
    options.bits = 3;
    q = palettize(values.data(), shape, options);
    EXPECT_EQ(q.lut.size(), size_t(axisLen * 8));
    EXPECT_EQ(decodeChecked(q, shape), values);
  }
}

TEST(Quantizers, PaletteDeterministic) {
  std::vector<float> values = gaussian(50000, 8);
  PaletteOptions options;
  options.bits = 4;
  options.seed = 42;
  Quantized a = palettize(values.data(), {50, 1000}, options);
  Quantized b = palettize(values.data(), {50, 1000}, options);
  EXPECT_EQ(a.bytes, b.bytes);
  EXPECT_EQ(a.lut, b.lut);
  // Other seeds: other starts, possibly other results; all good ones.
  bool anyDiffers = false;
  for (uint64_t seed = 0; seed < 4; ++seed) {
    options.seed = seed;
    options.maxIterations = 3; // Not converged: the start shows.
    Quantized c = palettize(values.data(), {50, 1000}, options);
    anyDiffers |= c.lut != a.lut;
    std::vector<float> out = decodeChecked(c, {50, 1000});
    EXPECT_GT(snrDb(values.data(), out.data(), values.size()), 17.0);
  }
  EXPECT_TRUE(anyDiffers);
}

TEST(Quantizers, PaletteProgress) {
  std::vector<float> values = gaussian(64 * 100, 9);
  std::vector<double> reports;
  PaletteOptions options;
  options.bits = 3;
  options.groupChannels = 1;
  options.progress = [&](double f) { reports.push_back(f); };
  palettize(values.data(), {64, 100}, options);
  ASSERT_GE(reports.size(), 3u);
  EXPECT_EQ(reports.front(), 0.0);
  EXPECT_EQ(reports.back(), 1.0);
  for (size_t i = 1; i < reports.size(); ++i)
    EXPECT_GE(reports[i], reports[i - 1]);
}

TEST(Quantizers, Sizes) {
  int64_t n = 1 << 20;
  std::vector<float> values = gaussian(n, 10);
  PaletteOptions options;
  options.bits = 4;
  Quantized q = palettize(values.data(), {1024, 1024}, options);
  double ratio = double(q.storedBytes()) / double(n * 4);
  EXPECT_GE(ratio, 0.125);
  EXPECT_LT(ratio, 0.1251);
  EXPECT_EQ(q.storedBytes(), size_t(n / 2 + 16 * 4));
  LinearOptions linear;
  linear.bits = 8;
  q = quantizeLinear(values.data(), {1024, 1024}, linear);
  EXPECT_EQ(q.storedBytes(), size_t(n + 1024 * 4));
  q = toFP16(values.data(), {1024, 1024});
  EXPECT_EQ(q.storedBytes(), size_t(n * 2));
}

TEST(Quantizers, SnrDb) {
  std::vector<float> a = {1, 2, 3}, b = {1, 2, 3}, c = {1, 2, 4};
  EXPECT_EQ(snrDb(a.data(), b.data(), 3), std::numeric_limits<double>::infinity());
  EXPECT_NEAR(snrDb(a.data(), c.data(), 3), 10 * std::log10(14.0), 1e-12);
}

// fcn_resnet50's large weights (512 x 512 x 3 x 3 = 2.4M values in layer4;
// its head's 512 x 2048 x 3 x 3 = 9.4M) at 8 and 4 bits: well under a
// second for 2.4M (a loose bound here, for slow machines).
TEST(Quantizers, PaletteSpeed) {
  std::vector<int64_t> shape = {512, 512, 3, 3};
  std::vector<float> values = gaussian(countOf(shape), 11, 0.02f);
  for (int bits : {8, 4}) {
    PaletteOptions options;
    options.bits = bits;
    auto start = std::chrono::steady_clock::now();
    Quantized q = palettize(values.data(), shape, options);
    double seconds = std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - start)
                         .count();
    start = std::chrono::steady_clock::now();
    std::vector<float> out = q.decode(shape);
    double decodeSeconds = std::chrono::duration<double>(
                               std::chrono::steady_clock::now() - start)
                               .count();
    std::cout << "palettize " << values.size() << " values at " << bits
              << " bits: " << seconds << " s, decode " << decodeSeconds
              << " s, SNR " << snrDb(values.data(), out.data(), out.size())
              << " dB\n";
    EXPECT_LT(seconds, 3.0);
  }
}

// Mostly zeros plus many distinct values (k-means++ then starts from a
// weighted sketch of the distinct values): every entry used, zeros close.
TEST(Quantizers, PaletteHeavyTies) {
  std::vector<float> values = gaussian(400000, 12);
  for (size_t i = 0; i < values.size(); ++i)
    if (i % 10 != 0)
      values[i] = 0;
  for (int bits : {4, 8}) {
    PaletteOptions options;
    options.bits = bits;
    Quantized q = palettize(values.data(), {400, 1000}, options);
    std::vector<float> out = decodeChecked(q, {400, 1000});
    std::set<float> used(out.begin(), out.end());
    EXPECT_EQ(used.size(), size_t(1) << bits);
    double snr = snrDb(values.data(), out.data(), values.size());
    std::cout << "heavy ties, " << bits << " bits: " << snr << " dB\n";
    EXPECT_GT(snr, bits == 4 ? 17.0 : 38.0);
  }
}

// Linear at 1 bit (asymmetric) and odd counts: packing across bytes.
TEST(Quantizers, LinearOddWidths) {
  std::vector<float> values = gaussian(1001, 13);
  for (int bits : {1, 3, 5, 7}) {
    LinearOptions options;
    options.bits = bits;
    options.symmetric = false;
    options.perChannel = false;
    Quantized q = quantizeLinear(values.data(), {7, 11, 13}, options);
    std::vector<float> out = decodeChecked(q, {7, 11, 13});
    for (size_t i = 0; i < values.size(); ++i)
      ASSERT_LE(std::fabs(values[i] - out[i]),
                q.scales[0] * (1 + 1e-5f) + 1e-7f);
  }
}
