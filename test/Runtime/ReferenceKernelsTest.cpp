//===- ReferenceKernelsTest.cpp - The reference kernels -------------------===//
//
// Small cases with hand-computed (or ONNX reference) results per op family,
// and the factory's refusals of inconsistent shapes and parameters.
//
//===----------------------------------------------------------------------===//

#include "KernelTestUtils.h"

#include <cmath>
#include <limits>

using namespace mlc;
using namespace mlc::rt;
using namespace mlc::rt::test;
using flatbuffers::FlatBufferBuilder;

namespace {

TestTensor out(std::vector<int64_t> dims, ElementType type = ElementType::f32) {
  return TestTensor(type, std::move(dims));
}

std::vector<float> iota(int64_t n, float start = 0) {
  std::vector<float> v(n);
  for (int64_t i = 0; i < n; ++i)
    v[i] = start + i;
  return v;
}

//===--- Conv -------------------------------------------------------------===//

TestOp convOp(std::vector<int64_t> strides, std::vector<int64_t> pads,
              std::vector<int64_t> dilations, int64_t group = 1,
              format::AutoPad autoPad = format::AutoPad::notset,
              format::Activation act = format::Activation()) {
  return TestOp([&](FlatBufferBuilder &b) {
    return format::CreateConvParams(b, vec(b, strides), vec(b, pads),
                                    vec(b, dilations), group, autoPad, &act);
  });
}

// Straightforward 2-D convolution, for comparison.
std::vector<float> naiveConv(const std::vector<float> &x, int64_t n, int64_t c,
                             int64_t h, int64_t w, const std::vector<float> &k,
                             int64_t m, int64_t kh, int64_t kw, int64_t group,
                             int64_t stride, int64_t pad, int64_t dil,
                             int64_t &oh, int64_t &ow) {
  oh = (h + 2 * pad - (kh - 1) * dil - 1) / stride + 1;
  ow = (w + 2 * pad - (kw - 1) * dil - 1) / stride + 1;
  int64_t cg = c / group, mg = m / group;
  std::vector<float> y(n * m * oh * ow, 0);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t o = 0; o < m; ++o)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          double s = 0;
          for (int64_t ci = 0; ci < cg; ++ci)
            for (int64_t p = 0; p < kh; ++p)
              for (int64_t q = 0; q < kw; ++q) {
                int64_t yy = i * stride - pad + p * dil, xx = j * stride - pad + q * dil;
                if (yy < 0 || yy >= h || xx < 0 || xx >= w)
                  continue;
                int64_t ch = (o / mg) * cg + ci;
                s += x[((b * c + ch) * h + yy) * w + xx] * k[((o * cg + ci) * kh + p) * kw + q];
              }
          y[((b * m + o) * oh + i) * ow + j] = static_cast<float>(s);
        }
  return y;
}

TEST(ReferenceConv, OneByOneByThreeByThree) {
  TestOp op = convOp({1, 1}, {1, 1, 1, 1}, {1, 1});
  TestTensor x = TestTensor::f32({1, 1, 3, 3}, iota(9));
  TestTensor w = TestTensor::f32({1, 1, 3, 3}, std::vector<float>(9, 1));
  auto y = runReference(op, {&x, &w}, {out({1, 1, 3, 3})});
  // Sums of 3x3 neighbourhoods of 0..8 with zero padding.
  expectNear(y[0].floats(), {8, 15, 12, 21, 36, 27, 20, 33, 24});
}

TEST(ReferenceConv, MatchesNaiveWithGroupsStridesDilations) {
  for (auto [group, stride, pad, dil] :
       std::vector<std::array<int64_t, 4>>{{1, 1, 0, 1}, {2, 2, 1, 1}, {4, 1, 2, 2}, {1, 3, 1, 2}}) {
    int64_t n = 2, c = 4, h = 7, w = 6, m = 8, kh = 3, kw = 2;
    TestTensor x = TestTensor::random({n, c, h, w}, 1);
    TestTensor k = TestTensor::random({m, c / group, kh, kw}, 2);
    int64_t oh, ow;
    auto expected = naiveConv(x.floats(), n, c, h, w, k.floats(), m, kh, kw, group,
                              stride, pad, dil, oh, ow);
    TestOp op = convOp({stride, stride}, {pad, pad, pad, pad}, {dil, dil}, group);
    auto y = runReference(op, {&x, &k}, {out({n, m, oh, ow})});
    expectNear(y[0].floats(), expected, 1e-5f);
  }
}

TEST(ReferenceConv, BiasResidualActivation) {
  format::Activation relu(format::ActivationKind::relu, 0, 0);
  TestOp op = convOp({}, {}, {}, 1, format::AutoPad::notset, relu);
  TestTensor x = TestTensor::f32({1, 1, 2}, {1, 2});
  TestTensor w = TestTensor::f32({2, 1, 1}, {1, -1});
  TestTensor b = TestTensor::f32({2}, {0.5f, 0.5f});
  TestTensor r = TestTensor::f32({1, 2, 2}, {1, 1, 1, 10});
  auto y = runReference(op, {&x, &w, &b, &r}, {out({1, 2, 2})});
  expectNear(y[0].floats(), {2.5f, 3.5f, 0.5f, 8.5f});
}

TEST(ReferenceConv, ResidualMayShareTheOutput) {
  TestOp op = convOp({}, {}, {});
  TestTensor x = TestTensor::f32({1, 1, 3}, {1, 2, 3});
  TestTensor w = TestTensor::f32({1, 1, 1}, {2});
  std::vector<TestTensor> outs = {TestTensor::f32({1, 1, 3}, {10, 20, 30})};
  std::vector<int64_t> exprs;
  KernelArgs args = makeArgs(op, {&x, &w, nullptr, &outs[0]}, outs, exprs);
  makeReferenceKernel(args)->run(args);
  expectNear(outs[0].floats(), {12, 24, 36});
}

TEST(ReferenceConv, SameUpperPads) {
  TestOp op = convOp({2, 2}, {}, {}, 1, format::AutoPad::same_upper);
  TestTensor x = TestTensor::f32({1, 1, 4, 4}, iota(16));
  TestTensor w = TestTensor::f32({1, 1, 3, 3}, std::vector<float>(9, 1));
  auto y = runReference(op, {&x, &w}, {out({1, 1, 2, 2})});
  // Total pad 1 per dim, all at the end: windows rows {0,1,2}/{2,3}.
  expectNear(y[0].floats(), {45, 39, 66, 50});
}

TEST(ReferenceConv, RejectsInconsistentShapes) {
  TestTensor x = TestTensor::random({1, 4, 5, 5}, 1);
  TestTensor w = TestTensor::random({6, 2, 3, 3}, 2);
  TestTensor w3 = TestTensor::random({6, 3, 3, 3}, 2);
  TestTensor bias = TestTensor::random({5}, 3);
  // Valid: group 2.
  EXPECT_NO_THROW(runReference(convOp({}, {}, {}, 2), {&x, &w}, {out({1, 6, 3, 3})}));
  // Wrong output dims.
  EXPECT_THROW(runReference(convOp({}, {}, {}, 2), {&x, &w}, {out({1, 6, 4, 3})}), Error);
  // Group 3 does not divide 4 channels.
  EXPECT_THROW(runReference(convOp({}, {}, {}, 3), {&x, &w3}, {out({1, 6, 3, 3})}), Error);
  // Weight channels do not match input channels / group.
  EXPECT_THROW(runReference(convOp({}, {}, {}, 1), {&x, &w}, {out({1, 6, 3, 3})}), Error);
  // Bias length.
  EXPECT_THROW(runReference(convOp({}, {}, {}, 2), {&x, &w, &bias}, {out({1, 6, 3, 3})}), Error);
  // Zero stride, zero group, wrong pads length.
  EXPECT_THROW(runReference(convOp({0, 1}, {}, {}, 2), {&x, &w}, {out({1, 6, 3, 3})}), Error);
  EXPECT_THROW(runReference(convOp({}, {}, {}, 0), {&x, &w}, {out({1, 6, 3, 3})}), Error);
  EXPECT_THROW(runReference(convOp({}, {1, 1}, {}, 2), {&x, &w}, {out({1, 6, 3, 3})}), Error);
  // Missing weight.
  EXPECT_THROW(runReference(convOp({}, {}, {}, 2), {&x, nullptr}, {out({1, 6, 3, 3})}), Error);
}

TEST(ReferenceConvTranspose, StrideAndPads) {
  TestOp op([](FlatBufferBuilder &b) {
    return format::CreateConvTransposeParams(b, vec<int64_t>(b, {2}), vec<int64_t>(b, {}),
                                             0, vec<int64_t>(b, {1}));
  });
  TestTensor x = TestTensor::f32({1, 1, 3}, {1, 2, 3});
  TestTensor w = TestTensor::f32({1, 2, 3}, {1, 1, 1, 1, 2, 3});
  // out = 2 * 2 + 1 + 3 = 8.
  auto y = runReference(op, {&x, &w}, {out({1, 2, 8})});
  expectNear(y[0].floats(), {1, 1, 3, 2, 5, 3, 3, 0, 1, 2, 5, 4, 9, 6, 9, 0});
  EXPECT_THROW(runReference(op, {&x, &w}, {out({1, 2, 7})}), Error);
}

//===--- Pool -------------------------------------------------------------===//

TestOp poolOp(format::PoolKind kind, std::vector<int64_t> kernel, std::vector<int64_t> strides,
              std::vector<int64_t> pads, bool ceil, bool includePad = false) {
  return TestOp([&](FlatBufferBuilder &b) {
    return format::CreatePoolParams(b, kind, vec(b, kernel), vec(b, strides), vec(b, pads),
                                    0, ceil, includePad);
  });
}

TEST(ReferencePool, MaxCeilMode) {
  // ONNX's maxpool_2d_ceil: 4x4, kernel 3, stride 2, ceil -> 2x2.
  TestTensor x = TestTensor::f32({1, 1, 4, 4}, iota(16, 1));
  auto y = runReference(poolOp(format::PoolKind::max, {3, 3}, {2, 2}, {}, true), {&x},
                        {out({1, 1, 2, 2})});
  expectNear(y[0].floats(), {11, 12, 15, 16});
  EXPECT_THROW(runReference(poolOp(format::PoolKind::max, {3, 3}, {2, 2}, {}, false), {&x},
                            {out({1, 1, 2, 2})}),
               Error);
}

TEST(ReferencePool, CeilModeDropsWindowStartingInPadding) {
  // in 5, pad 1+1, kernel 2, stride 2: ceil gives 4 windows, the last would
  // start at 6 - 1 = 5 >= in, inside the end pad: dropped.
  TestTensor x = TestTensor::f32({1, 1, 5}, {1, 2, 3, 4, 5});
  auto y = runReference(poolOp(format::PoolKind::max, {2}, {2}, {1, 1}, true), {&x},
                        {out({1, 1, 3})});
  expectNear(y[0].floats(), {1, 3, 5});
}

TEST(ReferencePool, AverageCountIncludePad) {
  TestTensor x = TestTensor::f32({1, 1, 3}, {3, 6, 9});
  auto y = runReference(poolOp(format::PoolKind::average, {3}, {1}, {1, 1}, false, true),
                        {&x}, {out({1, 1, 3})});
  expectNear(y[0].floats(), {3, 6, 5});
  y = runReference(poolOp(format::PoolKind::average, {3}, {1}, {1, 1}, false, false), {&x},
                   {out({1, 1, 3})});
  expectNear(y[0].floats(), {4.5f, 6, 7.5f});
}

TEST(ReferencePool, GlobalAverageAndMax) {
  TestTensor x = TestTensor::f32({1, 2, 2, 2}, {1, 2, 3, 4, -1, -2, -3, -4});
  TestOp avg([](FlatBufferBuilder &b) {
    return format::CreateGlobalPoolParams(b, format::PoolKind::average);
  });
  TestOp mx([](FlatBufferBuilder &b) {
    return format::CreateGlobalPoolParams(b, format::PoolKind::max);
  });
  expectNear(runReference(avg, {&x}, {out({1, 2, 1, 1})})[0].floats(), {2.5f, -2.5f});
  expectNear(runReference(mx, {&x}, {out({1, 2, 1, 1})})[0].floats(), {4, -1});
  EXPECT_THROW(runReference(mx, {&x}, {out({1, 2, 1})}), Error);
}

//===--- Norm -------------------------------------------------------------===//

TEST(ReferenceNorm, BatchNormAndInstanceNorm) {
  TestOp bn([](FlatBufferBuilder &b) { return format::CreateBatchNormParams(b, 0.0f); });
  TestTensor x = TestTensor::f32({1, 2, 2}, {1, 2, 3, 4});
  TestTensor scale = TestTensor::f32({2}, {1, 2});
  TestTensor bias = TestTensor::f32({2}, {0, 1});
  TestTensor mean = TestTensor::f32({2}, {1, 3});
  TestTensor var = TestTensor::f32({2}, {4, 1});
  auto y = runReference(bn, {&x, &scale, &bias, &mean, &var}, {out({1, 2, 2})});
  expectNear(y[0].floats(), {0, 0.5f, 1, 3});
  TestTensor shortMean = TestTensor::f32({1}, {0});
  EXPECT_THROW(runReference(bn, {&x, &scale, &bias, &shortMean, &var}, {out({1, 2, 2})}),
               Error);

  TestOp in([](FlatBufferBuilder &b) { return format::CreateInstanceNormParams(b, 0.0f); });
  y = runReference(in, {&x, &scale, &bias}, {out({1, 2, 2})});
  expectNear(y[0].floats(), {-1, 1, -1, 3});
}

//===--- Elementwise ------------------------------------------------------===//

TestOp unaryOp(format::UnaryKind kind, float alpha = 0, float beta = 0) {
  return TestOp([=](FlatBufferBuilder &b) { return format::CreateUnaryParams(b, kind, alpha, beta); });
}

TEST(ReferenceUnary, Kinds) {
  using K = format::UnaryKind;
  TestTensor x = TestTensor::f32({4}, {-2, -0.5f, 0.5f, 3});
  auto run = [&](TestOp op) { return runReference(op, {&x}, {out({4})})[0].floats(); };
  expectNear(run(unaryOp(K::relu)), {0, 0, 0.5f, 3});
  expectNear(run(unaryOp(K::leaky_relu, 0.1f)), {-0.2f, -0.05f, 0.5f, 3});
  expectNear(run(unaryOp(K::hard_swish)), {-2 * (1.0f / 6), -0.5f * (0.5f - 0.5f / 6),
                                           0.5f * (0.5f + 0.5f / 6), 3});
  expectNear(run(unaryOp(K::hard_sigmoid, 0.2f, 0.5f)), {0.1f, 0.4f, 0.6f, 1});
  expectNear(run(unaryOp(K::elu, 2)), {2 * (std::exp(-2.0f) - 1), 2 * (std::exp(-0.5f) - 1), 0.5f, 3});
  expectNear(run(unaryOp(K::neg)), {2, 0.5f, -0.5f, -3});
  expectNear(run(unaryOp(K::floor)), {-2, -1, 0, 3});
  expectNear(run(unaryOp(K::reciprocal)), {-0.5f, -2, 2, 1.0f / 3});
  TestTensor big = TestTensor::f32({2}, {100, -100});
  expectNear(runReference(unaryOp(K::softplus), {&big}, {out({2})})[0].floats(),
             {100, std::exp(-100.0f)});
  TestTensor ints = TestTensor::i64({3}, {-5, 0, std::numeric_limits<int64_t>::min()});
  auto y = runReference(unaryOp(K::abs), {&ints}, {out({3}, ElementType::i64)});
  EXPECT_EQ(y[0].values<int64_t>(),
            (std::vector<int64_t>{5, 0, std::numeric_limits<int64_t>::min()}));
  EXPECT_THROW(runReference(unaryOp(K::exp), {&ints}, {out({3}, ElementType::i64)}), Error);
  EXPECT_THROW(runReference(unaryOp(K::relu), {&x}, {out({5})}), Error);
}

TestOp binaryOp(format::BinaryKind kind, format::Activation act = format::Activation()) {
  return TestOp([=](FlatBufferBuilder &b) { return format::CreateBinaryParams(b, kind, &act); });
}

TEST(ReferenceBinary, BroadcastingAndActivation) {
  TestTensor a = TestTensor::f32({2, 1, 3}, {1, 2, 3, 4, 5, 6});
  TestTensor b = TestTensor::f32({2, 1}, {10, -20});
  auto y = runReference(binaryOp(format::BinaryKind::add), {&a, &b}, {out({2, 2, 3})});
  expectNear(y[0].floats(), {11, 12, 13, -19, -18, -17, 14, 15, 16, -16, -15, -14});
  format::Activation relu(format::ActivationKind::relu, 0, 0);
  y = runReference(binaryOp(format::BinaryKind::add, relu), {&a, &b}, {out({2, 2, 3})});
  expectNear(y[0].floats(), {11, 12, 13, 0, 0, 0, 14, 15, 16, 0, 0, 0});
  TestTensor s = TestTensor::f32({}, {2});
  y = runReference(binaryOp(format::BinaryKind::pow), {&a, &s}, {out({2, 1, 3})});
  expectNear(y[0].floats(), {1, 4, 9, 16, 25, 36});
  EXPECT_THROW(runReference(binaryOp(format::BinaryKind::add), {&a, &b}, {out({2, 1, 3})}),
               Error);
  TestTensor c = TestTensor::f32({2}, {1, 2});
  EXPECT_THROW(runReference(binaryOp(format::BinaryKind::add), {&a, &c}, {out({2, 1, 3})}),
               Error);
}

TEST(ReferenceBinary, IntegerDivisionTruncates) {
  TestTensor a = TestTensor::i32({4}, {7, -7, 7, std::numeric_limits<int32_t>::min()});
  TestTensor b = TestTensor::i32({4}, {2, 2, -2, -1});
  auto y = runReference(binaryOp(format::BinaryKind::div), {&a, &b}, {out({4}, ElementType::i32)});
  EXPECT_EQ(y[0].values<int32_t>(),
            (std::vector<int32_t>{3, -3, -3, std::numeric_limits<int32_t>::min()}));
  TestTensor zero = TestTensor::i32({}, {0});
  EXPECT_THROW(runReference(binaryOp(format::BinaryKind::div), {&a, &zero},
                            {out({4}, ElementType::i32)}),
               Error);
}

TestOp compareOp(format::CompareKind kind) {
  return TestOp([=](FlatBufferBuilder &b) { return format::CreateCompareParams(b, kind); });
}

TEST(ReferenceCompare, KindsBroadcastNotWhere) {
  TestTensor a = TestTensor::i64({2, 1}, {1, -1});
  TestTensor b = TestTensor::i64({3}, {-1, 1, 2});
  auto eq = runReference(compareOp(format::CompareKind::equal), {&a, &b},
                         {out({2, 3}, ElementType::boolean)});
  EXPECT_EQ(eq[0].values<uint8_t>(), (std::vector<uint8_t>{0, 1, 0, 1, 0, 0}));
  auto le = runReference(compareOp(format::CompareKind::less_or_equal), {&a, &b},
                         {out({2, 3}, ElementType::boolean)});
  EXPECT_EQ(le[0].values<uint8_t>(), (std::vector<uint8_t>{0, 1, 1, 1, 1, 1}));
  TestTensor f = TestTensor::f32({3}, {-0.5f, 0, NAN});
  TestTensor zero = TestTensor::f32({}, {0});
  auto gt = runReference(compareOp(format::CompareKind::greater), {&zero, &f},
                         {out({3}, ElementType::boolean)});
  EXPECT_EQ(gt[0].values<uint8_t>(), (std::vector<uint8_t>{1, 0, 0}));
  // Operands of two element types, and an output that is not bool.
  EXPECT_THROW(runReference(compareOp(format::CompareKind::less), {&a, &f},
                            {out({2, 3}, ElementType::boolean)}),
               Error);
  EXPECT_THROW(runReference(compareOp(format::CompareKind::less), {&a, &b}, {out({2, 3})}),
               Error);

  TestOp notOp([](FlatBufferBuilder &b) { return format::CreateNotParams(b); });
  auto ne = runReference(notOp, {&eq[0]}, {out({2, 3}, ElementType::boolean)});
  EXPECT_EQ(ne[0].values<uint8_t>(), (std::vector<uint8_t>{1, 0, 1, 0, 1, 1}));
  EXPECT_THROW(runReference(notOp, {&a}, {out({2, 1}, ElementType::i64)}), Error);

  // masked_fill: a bool mask picks a scalar, elsewhere the input.
  TestOp whereOp([](FlatBufferBuilder &b) { return format::CreateWhereParams(b); });
  TestTensor x = TestTensor::f32({3}, {1, 2, 3});
  TestTensor fill = TestTensor::f32({}, {-100});
  auto y = runReference(whereOp, {&ne[0], &fill, &x}, {out({2, 3})});
  expectNear(y[0].floats(), {-100, 2, -100, 1, -100, -100});
  auto picked = runReference(whereOp, {&eq[0], &a, &b}, {out({2, 3}, ElementType::i64)});
  EXPECT_EQ(picked[0].values<int64_t>(), (std::vector<int64_t>{-1, 1, 2, -1, 1, 2}));
  EXPECT_THROW(runReference(whereOp, {&x, &fill, &x}, {out({3})}), Error);
  EXPECT_THROW(runReference(whereOp, {&ne[0], &a, &x}, {out({2, 3})}), Error);
}

TEST(ReferenceBinary, ModTakesTheDivisorsSignFmodTheDividends) {
  TestTensor a = TestTensor::i64({4}, {-7, 7, 6, std::numeric_limits<int64_t>::min()});
  TestTensor b = TestTensor::i64({4}, {3, -3, 3, -1});
  auto y = runReference(binaryOp(format::BinaryKind::mod), {&a, &b}, {out({4}, ElementType::i64)});
  EXPECT_EQ(y[0].values<int64_t>(), (std::vector<int64_t>{2, -2, 0, 0}));
  y = runReference(binaryOp(format::BinaryKind::fmod), {&a, &b}, {out({4}, ElementType::i64)});
  EXPECT_EQ(y[0].values<int64_t>(), (std::vector<int64_t>{-1, 1, 0, 0}));
  TestTensor f = TestTensor::f32({2}, {-5.5f, 5.5f});
  TestTensor two = TestTensor::f32({}, {-2});
  auto g = runReference(binaryOp(format::BinaryKind::mod), {&f, &two}, {out({2})});
  expectNear(g[0].floats(), {-1.5f, -0.5f});
  g = runReference(binaryOp(format::BinaryKind::fmod), {&f, &two}, {out({2})});
  expectNear(g[0].floats(), {-1.5f, 1.5f});
  TestTensor zero = TestTensor::i64({}, {0});
  EXPECT_THROW(runReference(binaryOp(format::BinaryKind::mod), {&a, &zero},
                            {out({4}, ElementType::i64)}),
               Error);
}

TEST(ReferenceElementwise, ClipPReluSoftmax) {
  TestOp clip([](FlatBufferBuilder &b) { return format::CreateClipParams(b); });
  TestTensor x = TestTensor::f32({4}, {-2, -0.5f, 0.5f, 3});
  TestTensor lo = TestTensor::f32({}, {-1});
  expectNear(runReference(clip, {&x, &lo, nullptr}, {out({4})})[0].floats(), {-1, -0.5f, 0.5f, 3});
  TestTensor hi = TestTensor::f32({1}, {1});
  expectNear(runReference(clip, {&x, nullptr, &hi}, {out({4})})[0].floats(), {-2, -0.5f, 0.5f, 1});
  TestTensor two = TestTensor::f32({2}, {0, 1});
  EXPECT_THROW(runReference(clip, {&x, &two}, {out({4})}), Error);

  TestOp prelu([](FlatBufferBuilder &b) { return format::CreatePReluParams(b); });
  TestTensor px = TestTensor::f32({2, 2}, {-1, 1, -2, 2});
  TestTensor slope = TestTensor::f32({2}, {0.5f, 0.25f});
  expectNear(runReference(prelu, {&px, &slope}, {out({2, 2})})[0].floats(), {-0.5f, 1, -1, 2});

  TestOp sm([](FlatBufferBuilder &b) { return format::CreateSoftmaxParams(b, 0, false); });
  TestOp lsm([](FlatBufferBuilder &b) { return format::CreateSoftmaxParams(b, -1, true); });
  TestTensor s = TestTensor::f32({2, 2}, {0, 1, 0, 3});
  float e1 = 1 / (1 + std::exp(-1.0f)), e2 = 1 / (1 + std::exp(-2.0f)),
        e3 = 1 / (1 + std::exp(-3.0f));
  expectNear(runReference(sm, {&s}, {out({2, 2})})[0].floats(), {0.5f, 1 - e2, 0.5f, e2});
  expectNear(runReference(lsm, {&s}, {out({2, 2})})[0].floats(),
             {std::log(1 - e1), std::log(e1), std::log(1 - e3), std::log(e3)});
  TestOp badAxis([](FlatBufferBuilder &b) { return format::CreateSoftmaxParams(b, 2, false); });
  EXPECT_THROW(runReference(badAxis, {&s}, {out({2, 2})}), Error);
}

//===--- Cast and quantization -------------------------------------------===//

TestOp castOp() {
  return TestOp([](FlatBufferBuilder &b) { return format::CreateCastParams(b); });
}

TEST(ReferenceCast, FloatToIntTruncatesAndBool) {
  TestTensor x = TestTensor::f32({5}, {-2.7f, -0.5f, 0, 0.5f, 2.7f});
  auto y = runReference(castOp(), {&x}, {out({5}, ElementType::i32)});
  EXPECT_EQ(y[0].values<int32_t>(), (std::vector<int32_t>{-2, 0, 0, 0, 2}));
  y = runReference(castOp(), {&x}, {out({5}, ElementType::boolean)});
  EXPECT_EQ(y[0].values<uint8_t>(), (std::vector<uint8_t>{1, 1, 0, 1, 1}));
  TestTensor big = TestTensor::i64({2}, {(int64_t(1) << 53) + 1, -3});
  auto d = runReference(castOp(), {&big}, {out({2}, ElementType::f64)});
  EXPECT_EQ(d[0].values<double>(), (std::vector<double>{double(int64_t(1) << 53), -3.0}));
  auto u8 = runReference(castOp(), {&big}, {out({2}, ElementType::u8)});
  EXPECT_EQ(u8[0].values<uint8_t>(), (std::vector<uint8_t>{1, 253}));
}

TEST(ReferenceCast, HalfRoundsToNearestEven) {
  // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: to even (1). 1 + 3 * 2^-11
  // is halfway between 1 + 2^-10 and 1 + 2^-9: to even (1 + 2^-9).
  float h = std::ldexp(1.0f, -11);
  TestTensor x = TestTensor::f32({6}, {1 + h, 1 + 3 * h, 65504, 65520, std::ldexp(1.0f, -24), -0.0f});
  auto y = runReference(castOp(), {&x}, {out({6}, ElementType::f16)});
  EXPECT_EQ(y[0].values<uint16_t>(),
            (std::vector<uint16_t>{0x3c00, 0x3c02, 0x7bff, 0x7c00, 0x0001, 0x8000}));
  auto back = runReference(castOp(), {&y[0]}, {out({6})});
  expectNear(back[0].floats(), {1, 1 + 4 * h, 65504, INFINITY, std::ldexp(1.0f, -24), 0}, 0);
}

TEST(ReferenceQuantize, RoundsHalfToEvenAndSaturates) {
  TestOp q([](FlatBufferBuilder &b) { return format::CreateQuantizeLinearParams(b, 1, 0); });
  TestTensor x = TestTensor::f32({6}, {0.5f, 1.5f, 2.5f, -0.5f, 1000, -1000});
  TestTensor scale = TestTensor::f32({}, {1});
  TestTensor zp = TestTensor::of<int8_t>(ElementType::i8, {}, {0});
  auto y = runReference(q, {&x, &scale, &zp}, {out({6}, ElementType::i8)});
  EXPECT_EQ(y[0].values<int8_t>(), (std::vector<int8_t>{0, 2, 2, 0, 127, -128}));
  auto u = runReference(q, {&x, &scale}, {out({6}, ElementType::u8)});
  EXPECT_EQ(u[0].values<uint8_t>(), (std::vector<uint8_t>{0, 2, 2, 0, 255, 0}));
  EXPECT_THROW(runReference(q, {&x, &scale, &zp}, {out({6}, ElementType::u8)}), Error);
}

TEST(ReferenceQuantize, DequantizePerAxisAndPerBlock) {
  TestOp perAxis([](FlatBufferBuilder &b) { return format::CreateDequantizeLinearParams(b, 1, 0); });
  TestTensor x = TestTensor::of<uint8_t>(ElementType::u8, {2, 2}, {10, 20, 30, 40});
  TestTensor scale = TestTensor::f32({2}, {0.5f, 2});
  TestTensor zp = TestTensor::of<uint8_t>(ElementType::u8, {2}, {10, 0});
  auto y = runReference(perAxis, {&x, &scale, &zp}, {out({2, 2})});
  expectNear(y[0].floats(), {0, 40, 10, 80});

  TestOp perBlock([](FlatBufferBuilder &b) { return format::CreateDequantizeLinearParams(b, 1, 2); });
  TestTensor xb = TestTensor::of<int8_t>(ElementType::i8, {2, 3}, {1, 2, 3, 4, 5, 6});
  TestTensor sb = TestTensor::f32({2, 2}, {1, 10, 100, 1000});
  y = runReference(perBlock, {&xb, &sb}, {out({2, 3})});
  expectNear(y[0].floats(), {1, 2, 30, 400, 500, 6000});
  TestTensor badScale = TestTensor::f32({2, 3}, iota(6));
  EXPECT_THROW(runReference(perBlock, {&xb, &badScale}, {out({2, 3})}), Error);
}

//===--- Linear -----------------------------------------------------------===//

TEST(ReferenceLinear, GemmTransposedWithBias) {
  TestOp op([](FlatBufferBuilder &b) {
    return format::CreateGemmParams(b, 2.0f, 0.5f, true, false);
  });
  TestTensor a = TestTensor::f32({2, 2}, {1, 3, 2, 4}); // a^T = [[1,2],[3,4]]
  TestTensor b = TestTensor::f32({2, 3}, {1, 0, 1, 0, 1, 1});
  TestTensor c = TestTensor::f32({3}, {2, 4, 6});
  auto y = runReference(op, {&a, &b, &c}, {out({2, 3})});
  expectNear(y[0].floats(), {3, 6, 9, 7, 10, 17});
  EXPECT_THROW(runReference(op, {&a, &b, &c}, {out({3, 2})}), Error);
  TestTensor c2 = TestTensor::f32({2}, {1, 2});
  EXPECT_THROW(runReference(op, {&a, &b, &c2}, {out({2, 3})}), Error);
}

TEST(ReferenceLinear, MatMulBroadcastAndVectors) {
  TestOp op([](FlatBufferBuilder &b) { return format::CreateMatMulParams(b); });
  TestTensor a = TestTensor::f32({2, 1, 2, 2}, {1, 0, 0, 1, 2, 0, 0, 2});
  TestTensor b = TestTensor::f32({3, 2, 1}, {1, 2, 3, 4, 5, 6});
  auto y = runReference(op, {&a, &b}, {out({2, 3, 2, 1})});
  expectNear(y[0].floats(), {1, 2, 3, 4, 5, 6, 2, 4, 6, 8, 10, 12});
  TestTensor v = TestTensor::f32({2}, {1, 1});
  TestTensor m = TestTensor::f32({2, 2}, {1, 2, 3, 4});
  expectNear(runReference(op, {&v, &m}, {out({2})})[0].floats(), {4, 6});
  expectNear(runReference(op, {&m, &v}, {out({2})})[0].floats(), {3, 7});
  expectNear(runReference(op, {&v, &v}, {out({})})[0].floats(), {2});
  EXPECT_THROW(runReference(op, {&v, &m}, {out({1, 2})}), Error);
  TestTensor bad = TestTensor::f32({3, 2}, iota(6));
  EXPECT_THROW(runReference(op, {&bad, &bad}, {out({3, 2})}), Error);
}

// A fused bias (added to every row) and activation: a Linear layer.
TEST(ReferenceLinear, MatMulBiasAndActivation) {
  format::Activation relu(format::ActivationKind::relu, 0, 0);
  TestOp op([&](FlatBufferBuilder &b) {
    return format::CreateMatMulParams(b, &relu);
  });
  TestTensor a = TestTensor::f32({2, 1, 2}, {1, 2, 3, 4});
  TestTensor w = TestTensor::f32({2, 3}, {1, 0, -1, 0, 1, -1});
  TestTensor bias = TestTensor::f32({3}, {0.5f, -10, 2});
  // a @ w: [1 2 -3], [3 4 -7]; + bias: [1.5 -8 -1], [3.5 -6 -5]; relu.
  expectNear(runReference(op, {&a, &w, &bias}, {out({2, 1, 3})})[0].floats(),
             {1.5f, 0, 0, 3.5f, 0, 0});
  TestTensor wrong = TestTensor::f32({2}, {1, 2});
  EXPECT_THROW(runReference(op, {&a, &w, &wrong}, {out({2, 1, 3})}), Error);
  TestTensor column = TestTensor::f32({2}, {1, 1});
  EXPECT_THROW(runReference(op, {&a, &column, &bias}, {out({2, 1})}), Error);
}

TEST(ReferenceLinear, Reduce) {
  auto reduceOp = [](format::ReduceKind kind, std::vector<int32_t> axes, bool keep) {
    return TestOp([=](FlatBufferBuilder &b) {
      return format::CreateReduceParams(b, kind, vec(b, axes), keep);
    });
  };
  TestTensor x = TestTensor::f32({2, 3}, {1, 2, 3, 4, 5, 6});
  using K = format::ReduceKind;
  expectNear(runReference(reduceOp(K::sum, {1}, false), {&x}, {out({2})})[0].floats(), {6, 15});
  expectNear(runReference(reduceOp(K::mean, {0}, true), {&x}, {out({1, 3})})[0].floats(), {2.5f, 3.5f, 4.5f});
  expectNear(runReference(reduceOp(K::max, {0, 1}, false), {&x}, {out({})})[0].floats(), {6});
  expectNear(runReference(reduceOp(K::prod, {1}, true), {&x}, {out({2, 1})})[0].floats(), {6, 120});
  expectNear(runReference(reduceOp(K::min, {}, false), {&x}, {out({2, 3})})[0].floats(), x.floats());
  EXPECT_THROW(runReference(reduceOp(K::sum, {2}, false), {&x}, {out({2})}), Error);
  EXPECT_THROW(runReference(reduceOp(K::sum, {1}, false), {&x}, {out({2, 1})}), Error);
}

//===--- Resize -----------------------------------------------------------===//

TestOp resizeOp(format::ResizeMode mode, format::CoordinateTransform ct,
                std::vector<float> scales = {},
                format::NearestMode nearest = format::NearestMode::round_prefer_floor,
                std::vector<float> roi = {}, bool excludeOutside = false, float extrapolation = 0) {
  return TestOp([=](FlatBufferBuilder &b) {
    return format::CreateResizeParams(b, mode, ct, nearest, -0.75f, excludeOutside,
                                      extrapolation, vec(b, scales), vec(b, roi));
  });
}

TEST(ReferenceResize, NearestUpsample) {
  // ONNX resize_upsample_scales_nearest: [[1,2],[3,4]] x (2, 3), half_pixel.
  TestTensor x = TestTensor::f32({1, 1, 2, 2}, {1, 2, 3, 4});
  auto y = runReference(resizeOp(format::ResizeMode::nearest, format::CoordinateTransform::half_pixel,
                                 {1, 1, 2, 3}),
                        {&x}, {out({1, 1, 4, 6})});
  expectNear(y[0].floats(), {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4});
  EXPECT_THROW(runReference(resizeOp(format::ResizeMode::nearest, format::CoordinateTransform::asymmetric,
                                     {1, 1, 2, 3}),
                            {&x}, {out({1, 1, 4, 9})}),
               Error);
}

TEST(ReferenceResize, LinearHalfPixelAndAlignCorners) {
  // ONNX resize_upsample_scales_linear: 2x2 -> 4x4, half_pixel.
  TestTensor x = TestTensor::f32({1, 1, 2, 2}, {1, 2, 3, 4});
  auto y = runReference(resizeOp(format::ResizeMode::linear, format::CoordinateTransform::half_pixel,
                                 {1, 1, 2, 2}),
                        {&x}, {out({1, 1, 4, 4})});
  expectNear(y[0].floats(), {1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f,
                             3, 3.25f, 3.75f, 4});
  // resize_upsample_scales_linear_align_corners.
  y = runReference(resizeOp(format::ResizeMode::linear, format::CoordinateTransform::align_corners,
                            {1, 1, 2, 2}),
                   {&x}, {out({1, 1, 4, 4})});
  float t = 1.0f / 3, u = 2.0f / 3;
  expectNear(y[0].floats(), {1, 1 + t, 1 + u, 2, 1 + u, 2, 2 + t, 2 + u, 2 + t, 2 + u, 3, 3 + t,
                             3, 3 + t, 3 + u, 4});
}

TEST(ReferenceResize, CubicDownsample) {
  // ONNX resize_downsample_scales_cubic: 4x4 (1..16) x 0.8 -> 3x3.
  TestTensor x = TestTensor::f32({1, 1, 4, 4}, iota(16, 1));
  auto y = runReference(resizeOp(format::ResizeMode::cubic, format::CoordinateTransform::half_pixel,
                                 {1, 1, 0.8f, 0.8f}),
                        {&x}, {out({1, 1, 3, 3})});
  expectNear(y[0].floats(), {1.47119141f, 2.78125f, 4.08251953f, 6.71142578f, 8.02148438f,
                             9.32275391f, 11.91650391f, 13.2265625f, 14.52783203f},
             1e-5f);
}

TEST(ReferenceResize, TfCropAndResizeExtrapolates) {
  // ONNX resize_tf_crop_and_resize_extrapolation_value.
  TestTensor x = TestTensor::f32({1, 1, 4, 4}, iota(16, 1));
  auto y = runReference(resizeOp(format::ResizeMode::linear, format::CoordinateTransform::tf_crop_and_resize,
                                 {}, format::NearestMode::round_prefer_floor,
                                 {0, 0, 0.4f, 0.6f, 1, 1, 1.2f, 1.7f}, false, 10),
                        {&x}, {out({1, 1, 3, 3})});
  expectNear(y[0].floats(), {7.6f, 10, 10, 12.4f, 10, 10, 10, 10, 10}, 1e-5f);
}

//===--- Layout -----------------------------------------------------------===//

TEST(ReferenceLayout, DepthToSpaceModes) {
  TestTensor x = TestTensor::f32({1, 4, 1, 1}, {1, 2, 3, 4});
  TestOp dcr([](FlatBufferBuilder &b) {
    return format::CreateDepthToSpaceParams(b, 2, format::DepthToSpaceMode::dcr);
  });
  expectNear(runReference(dcr, {&x}, {out({1, 1, 2, 2})})[0].floats(), {1, 2, 3, 4});
  TestTensor x8 = TestTensor::f32({1, 8, 1, 1}, iota(8));
  TestOp crd([](FlatBufferBuilder &b) {
    return format::CreateDepthToSpaceParams(b, 2, format::DepthToSpaceMode::crd);
  });
  // dcr: channel (i*2+j)*2 + c; crd: c*4 + i*2 + j.
  expectNear(runReference(dcr, {&x8}, {out({1, 2, 2, 2})})[0].floats(), {0, 2, 4, 6, 1, 3, 5, 7});
  expectNear(runReference(crd, {&x8}, {out({1, 2, 2, 2})})[0].floats(), iota(8));
  TestOp s2d([](FlatBufferBuilder &b) { return format::CreateSpaceToDepthParams(b, 2); });
  auto back = runReference(dcr, {&x8}, {out({1, 2, 2, 2})});
  expectNear(runReference(s2d, {&back[0]}, {out({1, 8, 1, 1})})[0].floats(), iota(8));
  TestOp bad([](FlatBufferBuilder &b) { return format::CreateSpaceToDepthParams(b, int64_t(0)); });
  EXPECT_THROW(runReference(bad, {&x}, {out({1, 4, 1, 1})}), Error);
}

TestOp padOp(format::PadMode mode, uint32_t rank) {
  return TestOp([=](FlatBufferBuilder &b) {
    std::vector<uint32_t> pads(2 * rank);
    for (uint32_t i = 0; i < 2 * rank; ++i)
      pads[i] = i;
    return format::CreatePadParams(b, mode, vec(b, pads));
  });
}

TEST(ReferenceLayout, PadModes) {
  TestTensor x = TestTensor::f32({4}, {1, 2, 3, 4});
  auto run = [&](format::PadMode mode, int64_t begin, int64_t end, int64_t n,
                 TestTensor *value = nullptr) {
    return runReference(padOp(mode, 1), {&x, value}, {out({n})}, {begin, end})[0].floats();
  };
  TestTensor v = TestTensor::f32({}, {9});
  expectNear(run(format::PadMode::constant, 2, 1, 7, &v), {9, 9, 1, 2, 3, 4, 9});
  expectNear(run(format::PadMode::reflect, 2, 2, 8), {3, 2, 1, 2, 3, 4, 3, 2});
  expectNear(run(format::PadMode::edge, 2, 1, 7), {1, 1, 1, 2, 3, 4, 4});
  expectNear(run(format::PadMode::wrap, 2, 1, 7), {3, 4, 1, 2, 3, 4, 1});
  expectNear(run(format::PadMode::constant, -1, 2, 5), {2, 3, 4, 0, 0});
  EXPECT_THROW(run(format::PadMode::constant, 1, 1, 5), Error);
  // An expression index past the model's expressions.
  EXPECT_THROW(runReference(padOp(format::PadMode::constant, 1), {&x}, {out({4})}, {0}), Error);
  // 2-D: ints, any element type.
  TestTensor m = TestTensor::i64({2, 2}, {1, 2, 3, 4});
  auto y = runReference(padOp(format::PadMode::edge, 2), {&m}, {out({3, 3}, ElementType::i64)},
                        {1, 0, 0, 1});
  EXPECT_EQ(y[0].values<int64_t>(), (std::vector<int64_t>{1, 2, 2, 1, 2, 2, 3, 4, 4}));
}

TEST(ReferenceLayout, TransposeReshapeExpand) {
  TestOp tr([](FlatBufferBuilder &b) { return format::CreateTransposeParams(b, vec<int32_t>(b, {1, 0})); });
  TestTensor x = TestTensor::f32({2, 3}, iota(6));
  expectNear(runReference(tr, {&x}, {out({3, 2})})[0].floats(), {0, 3, 1, 4, 2, 5});
  EXPECT_THROW(runReference(tr, {&x}, {out({2, 3})}), Error);
  TestOp badPerm([](FlatBufferBuilder &b) { return format::CreateTransposeParams(b, vec<int32_t>(b, {0, 0})); });
  EXPECT_THROW(runReference(badPerm, {&x}, {out({2, 2})}), Error);

  TestOp rs([](FlatBufferBuilder &b) { return format::CreateReshapeParams(b); });
  expectNear(runReference(rs, {&x}, {out({6})})[0].floats(), iota(6));
  EXPECT_THROW(runReference(rs, {&x}, {out({5})}), Error);

  TestOp ex([](FlatBufferBuilder &b) { return format::CreateExpandParams(b); });
  TestTensor col = TestTensor::f32({2, 1}, {1, 2});
  expectNear(runReference(ex, {&col}, {out({2, 2, 3})})[0].floats(),
             {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2});
  EXPECT_THROW(runReference(ex, {&col}, {out({3, 3})}), Error);
}

TEST(ReferenceLayout, ConcatSplit) {
  TestOp cat([](FlatBufferBuilder &b) { return format::CreateConcatParams(b, -1); });
  TestTensor a = TestTensor::f32({2, 1}, {1, 2});
  TestTensor b = TestTensor::f32({2, 2}, {3, 4, 5, 6});
  auto y = runReference(cat, {&a, &b}, {out({2, 3})});
  expectNear(y[0].floats(), {1, 3, 4, 2, 5, 6});
  EXPECT_THROW(runReference(cat, {&a, &b}, {out({2, 4})}), Error);
  TestOp badAxis([](FlatBufferBuilder &b) { return format::CreateConcatParams(b, 2); });
  EXPECT_THROW(runReference(badAxis, {&a, &b}, {out({2, 3})}), Error);

  TestOp split([](FlatBufferBuilder &b) { return format::CreateSplitParams(b, 1); });
  auto parts = runReference(split, {&y[0]}, {out({2, 1}), out({2, 2})});
  expectNear(parts[0].floats(), a.floats());
  expectNear(parts[1].floats(), b.floats());
  EXPECT_THROW(runReference(split, {&y[0]}, {out({2, 1}), out({2, 1})}), Error);
}

TestOp sliceOp(std::vector<int64_t> steps) {
  return TestOp([=](FlatBufferBuilder &b) {
    std::vector<uint32_t> starts(steps.size());
    for (uint32_t i = 0; i < starts.size(); ++i)
      starts[i] = i;
    return format::CreateSliceParams(b, vec(b, starts), vec(b, steps));
  });
}

TEST(ReferenceLayout, SliceClampsAsOnnx) {
  TestTensor x = TestTensor::f32({5}, iota(5));
  // start 100 with step -2 clamps to 4: 4, 2, 0.
  expectNear(runReference(sliceOp({-2}), {&x}, {out({3})}, {100})[0].floats(), {4, 2, 0});
  // start -2 = 3, step -1: at most 4 elements.
  expectNear(runReference(sliceOp({-1}), {&x}, {out({2})}, {-2})[0].floats(), {3, 2});
  EXPECT_THROW(runReference(sliceOp({-1}), {&x}, {out({5})}, {-2}), Error);
  // start -100 with step 2 clamps to 0.
  expectNear(runReference(sliceOp({2}), {&x}, {out({3})}, {-100})[0].floats(), {0, 2, 4});
  EXPECT_THROW(runReference(sliceOp({2}), {&x}, {out({4})}, {-100}), Error);
  EXPECT_THROW(runReference(sliceOp({0}), {&x}, {out({1})}, {0}), Error);
  TestTensor m = TestTensor::f32({2, 3}, iota(6));
  expectNear(runReference(sliceOp({1, -1}), {&m}, {out({1, 2})}, {1, -1})[0].floats(), {5, 4});
}

TEST(ReferenceLayout, GatherChecksIndicesAtRunTime) {
  TestOp op([](FlatBufferBuilder &b) { return format::CreateGatherParams(b, 1); });
  TestTensor x = TestTensor::f32({2, 3}, iota(6));
  TestTensor idx = TestTensor::i64({2}, {-1, 0});
  expectNear(runReference(op, {&x, &idx}, {out({2, 2})})[0].floats(), {2, 0, 5, 3});
  TestTensor bad = TestTensor::i32({1}, {3});
  std::vector<TestTensor> outs = {out({2, 1})};
  std::vector<int64_t> exprs;
  KernelArgs args = makeArgs(op, {&x, &bad}, outs, exprs);
  std::unique_ptr<Kernel> kernel;
  ASSERT_NO_THROW(kernel = makeReferenceKernel(args));
  EXPECT_THROW(kernel->run(args), Error);
  EXPECT_THROW(runReference(op, {&x, &idx}, {out({2, 3})}), Error);
}

TEST(ReferenceLayout, FillAndShapeValues) {
  TestOp fill([](FlatBufferBuilder &b) { return format::CreateFillParams(b, 2.5); });
  EXPECT_EQ(runReference(fill, {}, {out({3}, ElementType::i32)})[0].values<int32_t>(),
            (std::vector<int32_t>{2, 2, 2}));
  expectNear(runReference(fill, {}, {out({2})})[0].floats(), {2.5f, 2.5f});
  TestOp sv([](FlatBufferBuilder &b) {
    return format::CreateShapeValuesParams(b, vec<uint32_t>(b, {1, 0}));
  });
  EXPECT_EQ(runReference(sv, {}, {out({2}, ElementType::i64)}, {7, 9})[0].values<int64_t>(),
            (std::vector<int64_t>{9, 7}));
  EXPECT_THROW(runReference(sv, {}, {out({3}, ElementType::i64)}, {7, 9}), Error);
  EXPECT_THROW(runReference(sv, {}, {out({2}, ElementType::i64)}, {7}), Error);
}

TEST(ReferenceLayout, RangeAndScatterND) {
  TestOp rangeOp([](FlatBufferBuilder &b) { return format::CreateRangeParams(b); });
  TestTensor start = TestTensor::i64({}, {7}), limit = TestTensor::i64({}, {0}),
             delta = TestTensor::i64({}, {-3});
  auto r = runReference(rangeOp, {&start, &limit, &delta}, {out({3}, ElementType::i64)});
  EXPECT_EQ(r[0].values<int64_t>(), (std::vector<int64_t>{7, 4, 1}));
  TestTensor fs = TestTensor::f32({}, {0.5f}), fl = TestTensor::f32({}, {2}),
             fd = TestTensor::f32({}, {0.5f});
  auto fr = runReference(rangeOp, {&fs, &fl, &fd}, {out({3})});
  expectNear(fr[0].floats(), {0.5f, 1, 1.5f});
  // The size was fixed when the model was compiled: another is an error.
  EXPECT_THROW(runReference(rangeOp, {&start, &limit, &delta}, {out({4}, ElementType::i64)}),
               Error);

  TestOp scatterOp([](FlatBufferBuilder &b) { return format::CreateScatterNDParams(b); });
  TestTensor data = TestTensor::f32({3, 2}, {1, 2, 3, 4, 5, 6});
  TestTensor rows = TestTensor::i64({2, 1}, {-1, 0});
  TestTensor updates = TestTensor::f32({2, 2}, {10, 20, 30, 40});
  auto y = runReference(scatterOp, {&data, &rows, &updates}, {out({3, 2})});
  expectNear(y[0].floats(), {30, 40, 3, 4, 10, 20});
  TestTensor cells = TestTensor::i64({2, 2}, {1, 1, 2, 0});
  TestTensor values = TestTensor::f32({2}, {-1, -2});
  y = runReference(scatterOp, {&data, &cells, &values}, {out({3, 2})});
  expectNear(y[0].floats(), {1, 2, 3, -1, -2, 6});
  TestTensor outside = TestTensor::i64({2, 1}, {3, 0});
  EXPECT_THROW(runReference(scatterOp, {&data, &outside, &updates}, {out({3, 2})}), Error);
  EXPECT_THROW(runReference(scatterOp, {&data, &rows, &values}, {out({3, 2})}), Error);
}

TEST(ReferenceKernels, CustomOpHasNoLayer) {
  TestOp op([](FlatBufferBuilder &b) {
    return format::CreateCustomParams(b, b.CreateString("MyLayer"));
  });
  TestTensor x = TestTensor::f32({1}, {1});
  try {
    runReference(op, {&x}, {out({1})});
    FAIL() << "expected an error";
  } catch (const Error &e) {
    EXPECT_NE(std::string(e.what()).find(
                  "custom layer class 'MyLayer' (domain '') is not registered"),
              std::string::npos)
        << e.what();
  }
}

} // namespace
