//===- OneDNNKernelsTest.cpp - The oneDNN kernels against the reference ---===//
//
// Every oneDNN kernel is held to the reference kernel on random operands
// (fixed seeds) over many configurations; the difference allowed is 1e-5 of
// the largest magnitude in the reference's output. Configurations oneDNN
// cannot run exactly must get no oneDNN kernel (nullptr): the reference
// kernel then runs them.
//
//===----------------------------------------------------------------------===//

#include "KernelTestUtils.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <sstream>

using namespace mlc;
using namespace mlc::rt;
using namespace mlc::rt::test;

namespace {

using Builder = flatbuffers::FlatBufferBuilder;
using Dims = std::vector<int64_t>;
using format::ActivationKind;

/// The largest difference seen per op type, relative to the largest
/// magnitude of the reference's output: printed at the end.
std::map<std::string, double> &worstDifferences() {
  static std::map<std::string, double> worst;
  return worst;
}

class ReportDifferences : public ::testing::Environment {
public:
  void TearDown() override {
    for (auto &[op, diff] : worstDifferences())
      std::printf("[ oneDNN   ] %-14s largest difference %.3g of the largest "
                  "magnitude\n",
                  op.c_str(), diff);
  }
};
const auto *const reportDifferences =
    ::testing::AddGlobalTestEnvironment(new ReportDifferences);

TestTensor output(const Dims &dims) {
  return TestTensor(ElementType::f32, dims);
}

/// Whether oneDNN makes a kernel for the op on these operands.
bool supported(const TestOp &op, const std::vector<TestTensor *> &inputs,
               const Dims &outDims) {
  std::vector<TestTensor> outputs{output(outDims)};
  std::vector<int64_t> exprs;
  KernelArgs args = makeArgs(op, inputs, outputs, exprs);
  return makeOneDNNKernel(args) != nullptr;
}

/// What runs the op in oneDNN's backend ("" when it makes no kernel).
std::string implementationOf(const TestOp &op,
                             const std::vector<TestTensor *> &inputs,
                             const Dims &outDims) {
  std::vector<TestTensor> outputs{output(outDims)};
  std::vector<int64_t> exprs;
  KernelArgs args = makeArgs(op, inputs, outputs, exprs);
  std::unique_ptr<Kernel> kernel = makeOneDNNKernel(args);
  return kernel ? kernel->implementation() : "";
}

/// |got - want| <= tol * max |want| everywhere; records the worst.
void expectClose(const std::string &what, const std::vector<float> &got,
                 const std::vector<float> &want, float tol) {
  ASSERT_EQ(got.size(), want.size());
  double scale = 0;
  for (float v : want)
    scale = std::max(scale, static_cast<double>(std::fabs(v)));
  if (scale == 0)
    scale = 1;
  double worst = 0;
  int reported = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    double diff = std::fabs(static_cast<double>(got[i]) - want[i]) / scale;
    if (std::isnan(diff))
      diff = std::isnan(got[i]) && std::isnan(want[i]) ? 0 : 1e30;
    worst = std::max(worst, diff);
    if (diff > tol && reported++ < 8)
      ADD_FAILURE() << "element " << i << ": oneDNN " << got[i]
                    << ", reference " << want[i] << " (scale " << scale
                    << ")";
  }
  double &record = worstDifferences()[what];
  record = std::max(record, worst);
}

/// Runs the op with the reference kernel and with oneDNN's (which must
/// exist), twice (the primitive is reused), and compares.
void expectMatch(const TestOp &op, const std::vector<TestTensor *> &inputs,
                 const Dims &outDims, float tol = 1e-5f) {
  std::vector<TestTensor> want;
  try {
    want = runReference(op, inputs, {output(outDims)});
  } catch (const Error &e) {
    FAIL() << "reference kernel: " << e.what();
  }
  std::vector<TestTensor> outputs{output(outDims)};
  std::vector<int64_t> exprs;
  KernelArgs args = makeArgs(op, inputs, outputs, exprs);
  std::unique_ptr<Kernel> kernel = makeOneDNNKernel(args);
  ASSERT_TRUE(kernel) << "no oneDNN kernel for " << args.describe();
  for (int run = 0; run < 2; ++run) {
    kernel->run(args);
    expectClose(opTypeName(*op.op()), outputs[0].floats(), want[0].floats(),
                tol);
  }
}

std::string shape(const Dims &d) { return formatShape(d); }

format::Activation activation(ActivationKind kind, float alpha = 0,
                              float beta = 0) {
  return format::Activation(kind, alpha, beta);
}

/// The activations and their parameters that every op with a fused
/// activation is tried with.
std::vector<format::Activation> allActivations() {
  return {activation(ActivationKind::none),
          activation(ActivationKind::relu),
          activation(ActivationKind::leaky_relu, 0.1f),
          activation(ActivationKind::clip, -0.5f, 0.75f),
          activation(ActivationKind::sigmoid),
          activation(ActivationKind::tanh),
          activation(ActivationKind::hard_sigmoid, 0.2f, 0.5f),
          activation(ActivationKind::hard_swish),
          activation(ActivationKind::elu, 0.7f),
          activation(ActivationKind::softplus),
          activation(ActivationKind::swish),
          activation(ActivationKind::gelu)};
}

int64_t windowOut(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb,
                  int64_t pe) {
  return (in + pb + pe - ((k - 1) * d + 1)) / s + 1;
}

//===----------------------------------------------------------------------===//
// Conv
//===----------------------------------------------------------------------===//

struct ConvCase {
  Dims x;           // N C spatial...
  int64_t m;        // output channels
  Dims kernel, strides, pads, dilations;
  int64_t group = 1;
  bool bias = true, residual = false;
  format::Activation act = activation(ActivationKind::none);
  format::AutoPad autoPad = format::AutoPad::notset;
};

Dims convOutDims(const ConvCase &c) {
  size_t spatial = c.x.size() - 2;
  Dims in(c.x.begin() + 2, c.x.end());
  Dims strides = c.strides.empty() ? Dims(spatial, 1) : c.strides;
  Dims dil = c.dilations.empty() ? Dims(spatial, 1) : c.dilations;
  Dims pads = resolvePads(c.autoPad, in, c.kernel, strides, dil,
                          c.pads.empty() ? Dims(2 * spatial, 0) : c.pads);
  Dims out{c.x[0], c.m};
  for (size_t i = 0; i < spatial; ++i)
    out.push_back(windowOut(in[i], c.kernel[i], strides[i], dil[i], pads[i],
                            pads[spatial + i]));
  return out;
}

TestOp convOp(const ConvCase &c) {
  return TestOp([&](Builder &b) {
    auto strides = c.strides.empty() ? 0 : vec(b, c.strides);
    auto pads = c.pads.empty() ? 0 : vec(b, c.pads);
    auto dil = c.dilations.empty() ? 0 : vec(b, c.dilations);
    return format::CreateConvParams(b, strides, pads, dil, c.group,
                                    c.autoPad, &c.act);
  });
}

void checkConv(const ConvCase &c, unsigned seed) {
  Dims w{c.m, c.x[1] / c.group};
  w.insert(w.end(), c.kernel.begin(), c.kernel.end());
  Dims out = convOutDims(c);
  SCOPED_TRACE("conv x " + shape(c.x) + " w " + shape(w) + " y " +
               shape(out) + " group " + std::to_string(c.group) + " act " +
               format::EnumNameActivationKind(c.act.kind()) +
               (c.residual ? " residual" : ""));
  TestTensor x = TestTensor::random(c.x, seed);
  TestTensor weights = TestTensor::random(w, seed + 1);
  TestTensor bias = TestTensor::random({c.m}, seed + 2);
  TestTensor residual = TestTensor::random(out, seed + 3);
  TestOp op = convOp(c);
  expectMatch(op,
              {&x, &weights, c.bias ? &bias : nullptr,
               c.residual ? &residual : nullptr},
              out);
}

TEST(OneDNNKernels, Conv2D) {
  std::vector<ConvCase> cases = {
      {{1, 3, 8, 8}, 4, {3, 3}, {}, {1, 1, 1, 1}, {}},
      {{2, 4, 9, 7}, 6, {3, 3}, {2, 2}, {1, 0, 2, 1}, {}},
      {{1, 4, 10, 11}, 8, {3, 2}, {1, 2}, {0, 0, 0, 0}, {}},
      {{1, 8, 10, 10}, 4, {3, 3}, {}, {2, 2, 2, 2}, {2, 2}, 2},
      {{1, 6, 12, 9}, 6, {3, 3}, {1, 1}, {1, 1, 1, 1}, {3, 2}, 1},
      {{2, 5, 6, 6}, 7, {1, 1}, {}, {}, {}, 1, false},
      {{1, 3, 17, 13}, 5, {5, 5}, {3, 3}, {2, 2, 2, 2}, {}},
      {{1, 16, 7, 7}, 16, {3, 3}, {1, 1}, {1, 1, 1, 1}, {}, 4},
      {{1, 2, 5, 5}, 3, {5, 5}, {}, {}, {}},
      {{1, 32, 14, 14}, 64, {3, 3}, {2, 2}, {1, 1, 1, 1}, {}},
  };
  unsigned seed = 100;
  for (const ConvCase &c : cases)
    checkConv(c, seed += 10);
}

TEST(OneDNNKernels, ConvDepthwise) {
  std::vector<ConvCase> cases = {
      {{1, 6, 7, 7}, 6, {3, 3}, {2, 2}, {1, 1, 1, 1}, {}, 6},
      {{2, 6, 9, 8}, 12, {3, 3}, {1, 1}, {1, 1, 1, 1}, {}, 6},
      {{1, 8, 11, 11}, 8, {5, 5}, {2, 2}, {2, 2, 2, 2}, {}, 8},
      {{1, 8, 11, 11}, 8, {3, 3}, {1, 1}, {2, 2, 2, 2}, {2, 2}, 8},
      {{1, 32, 14, 14}, 32, {3, 3}, {1, 1}, {1, 1, 1, 1}, {}, 32, true, true,
       activation(ActivationKind::clip, 0, 6)},
  };
  unsigned seed = 200;
  for (const ConvCase &c : cases)
    checkConv(c, seed += 10);
}

TEST(OneDNNKernels, ConvResidualAndActivations) {
  unsigned seed = 300;
  for (const format::Activation &act : allActivations())
    for (bool residual : {false, true}) {
      checkConv({{1, 4, 8, 8}, 8, {3, 3}, {1, 1}, {1, 1, 1, 1}, {}, 1, true,
                 residual, act},
                seed += 10);
      checkConv({{2, 8, 9, 9}, 8, {3, 3}, {2, 2}, {1, 1, 1, 1}, {}, 8, true,
                 residual, act},
                seed += 10);
    }
}

// A Conv's swish runs after it, by mlc's own loop (Swish.cpp): on every
// value from where exp(-x) underflows to where it overflows and beyond, in
// runs that take each of the loop's paths (eight vectors at a time, one, the
// scalar tail), within 2e-7 of x / (1 + exp(-x)) (relative, or absolute
// under 1); NaN stays NaN and infinity infinity.
TEST(OneDNNKernels, ConvSwishOverAllValues) {
  std::vector<float> values;
  for (int i = 0; i <= 2400; ++i)
    values.push_back(-120.0f + 0.1f * i);
  for (float edge : {87.3f, 88.3f, 88.8f, 1e-30f, 0.0f})
    for (float sign : {-1.0f, 1.0f})
      values.push_back(sign * edge);
  for (int64_t length : {int64_t(values.size()), int64_t(16 * 8 + 16 + 5)}) {
    SCOPED_TRACE(std::to_string(length) + " values");
    std::vector<float> x(values.begin(), values.begin() + length);
    x.push_back(std::nanf(""));
    x.push_back(INFINITY);
    Dims dims{1, 1, 1, int64_t(x.size())};
    ConvCase c{dims, 1, {1, 1}};
    c.act = activation(ActivationKind::swish);
    TestOp op = convOp(c);
    TestTensor input = TestTensor::f32(dims, x),
               w = TestTensor::f32({1, 1, 1, 1}, {1.0f}),
               b = TestTensor::f32({1}, {0.0f});
    std::vector<TestTensor> outputs{output(dims)};
    std::vector<int64_t> exprs;
    KernelArgs args = makeArgs(op, {&input, &w, &b}, outputs, exprs);
    std::unique_ptr<Kernel> kernel = makeOneDNNKernel(args);
    ASSERT_TRUE(kernel);
    EXPECT_NE(kernel->implementation().find("mlc:swish"), std::string::npos);
    kernel->run(args);
    std::vector<float> y = outputs[0].floats();
    for (size_t i = 0; i + 2 < x.size(); ++i) {
      double want = x[i] / (1.0 + std::exp(-double(x[i])));
      EXPECT_LE(std::fabs(y[i] - want), 2e-7 * std::max(1.0, std::fabs(want)))
          << "swish(" << x[i] << ") = " << y[i] << ", not " << want;
    }
    EXPECT_TRUE(std::isnan(y[x.size() - 2]));
    EXPECT_EQ(y.back(), INFINITY);
  }
}

TEST(OneDNNKernels, ConvAutoPad) {
  unsigned seed = 400;
  for (format::AutoPad autoPad :
       {format::AutoPad::same_upper, format::AutoPad::same_lower,
        format::AutoPad::valid})
    for (int64_t stride : {1, 2}) {
      ConvCase c{{1, 3, 10, 9}, 4, {4, 3}, {stride, stride}, {}, {}};
      c.autoPad = autoPad;
      checkConv(c, seed += 10);
    }
}

TEST(OneDNNKernels, Conv1DAnd3D) {
  unsigned seed = 500;
  checkConv({{2, 4, 20}, 6, {3}, {2}, {1, 2}, {}}, seed += 10);
  checkConv({{1, 6, 16}, 6, {5}, {1}, {4, 4}, {2}, 3, true, true,
             activation(ActivationKind::relu)},
            seed += 10);
  checkConv({{1, 3, 6, 7, 8}, 4, {3, 3, 3}, {1, 2, 1}, {1, 1, 1, 1, 0, 1}, {}},
            seed += 10);
  checkConv({{1, 4, 5, 6, 7}, 4, {3, 3, 3}, {}, {}, {1, 1, 2}, 4, true, true,
             activation(ActivationKind::tanh)},
            seed += 10);
}

TEST(OneDNNKernels, ConvResidualInPlace) {
  // The planner may put the residual at the output's address.
  ConvCase c{{1, 4, 6, 6}, 4, {3, 3}, {}, {1, 1, 1, 1}, {}, 1, true, true,
             activation(ActivationKind::relu)};
  Dims out = convOutDims(c);
  TestTensor x = TestTensor::random(c.x, 1), w = TestTensor::random(
                                                 {4, 4, 3, 3}, 2),
             bias = TestTensor::random({4}, 3),
             residual = TestTensor::random(out, 4);
  TestOp op = convOp(c);
  std::vector<TestTensor> want =
      runReference(op, {&x, &w, &bias, &residual}, {output(out)});
  std::vector<TestTensor> outputs{residual};
  std::vector<int64_t> exprs;
  KernelArgs args = makeArgs(op, {&x, &w, &bias, nullptr}, outputs, exprs);
  args.inputs[3] = &outputs[0].ref;
  std::unique_ptr<Kernel> kernel = makeOneDNNKernel(args);
  ASSERT_TRUE(kernel);
  kernel->run(args);
  expectClose("Conv", outputs[0].floats(), want[0].floats(), 1e-5f);
}

/// `t`'s elements reordered from plain (NCHW) to channels-last (NHWC), or
/// back; the TensorRef says which it is.
TestTensor withLayout(const TestTensor &t, Layout layout) {
  TestTensor result = t;
  if (t.ref.layout == layout)
    return result;
  result.ref.layout = layout;
  const Dims &d = t.ref.dims;
  int64_t n = d[0], c = d[1], hw = d[2] * d[3];
  const float *from = t.ref.as<float>();
  float *to = result.ref.as<float>();
  bool toLast = layout == Layout::channelsLast;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t s = 0; s < hw; ++s) {
        int64_t plain = (i * c + ch) * hw + s, last = (i * hw + s) * c + ch;
        to[toLast ? last : plain] = from[toLast ? plain : last];
      }
  return result;
}

// A plan's layout conversions (its input into channels-last, results back),
// held to the element-by-element reordering: an RGB image's planes take
// mlc's own interleave (whole vectors of 16 pixels and a tail), other
// channel counts and the way back oneDNN's reorder.
TEST(OneDNNKernels, LayoutConversion) {
  for (Dims dims : std::vector<Dims>{
           {1, 3, 16, 16}, {2, 3, 5, 7}, {1, 3, 1, 1}, {1, 4, 3, 5}}) {
    std::string shape = formatShape(dims);
    TestTensor x = TestTensor::random(dims, 7);
    for (Layout to : {Layout::channelsLast, Layout::plain}) {
      TestTensor from = withLayout(x, to == Layout::plain ? Layout::channelsLast
                                                          : Layout::plain);
      TestTensor out = withLayout(output(dims), to);
      KernelArgs args;
      args.inputs = {&from.ref};
      args.outputs = {&out.ref};
      std::unique_ptr<Kernel> kernel = makeLayoutConversion(args);
      ASSERT_TRUE(kernel) << shape;
      kernel->run(args);
      std::vector<float> want = withLayout(x, to).floats();
      EXPECT_EQ(out.floats(), want)
          << shape << (to == Layout::plain ? " to plain" : " to channels-last");
    }
  }
}

// The variants a session's tuning times against the direct kernel:
// Winograd's algorithm (1) for 3x3 stride-1 convolutions, on the phases of
// a dilated one (2) and, on two threads, as one-thread kernels on parts of
// the rows or of the batch side by side (4, channels-last only), held to
// the reference in both layouts, with and without a residual; and a
// kernel, made once, run over other tensors of its shapes (as each item of
// a batch does).
TEST(OneDNNKernels, ConvWinogradVariants) {
  // oneDNN's Winograd kernel is AVX-512 code: below it (a machine without,
  // or DNNL_MAX_CPU_ISA) every variant is refused and tuning keeps the
  // direct algorithm.
  if (!oneDNNHasAVX512())
    GTEST_SKIP() << "oneDNN runs no Winograd kernel below AVX-512";
  struct Case {
    int variant;
    Dims x;
    int64_t m;
    Dims pads, dilations;
  };
  std::vector<Case> cases = {
      {1, {2, 16, 12, 10}, 32, {1, 1, 1, 1}, {}},
      {2, {1, 16, 12, 12}, 16, {2, 2, 2, 2}, {2, 2}},
      {2, {2, 32, 16, 8}, 16, {4, 2, 4, 2}, {4, 2}},
      // Rows split at 8 (two tiles of 4) and at 4; a batch split by images
      // (one and two).
      {4, {1, 16, 14, 10}, 32, {1, 1, 1, 1}, {}},
      {4, {1, 16, 7, 9}, 16, {1, 1, 1, 1}, {}},
      {4, {3, 16, 12, 10}, 16, {1, 1, 1, 1}, {}},
  };
  std::unique_ptr<BackendState> session = makeOneDNNState(true);
  unsigned seed = 500;
  for (const Case &k : cases)
    for (bool residual : {false, true})
      for (Layout layout : {Layout::plain, Layout::channelsLast}) {
        ConvCase c{k.x,  k.m, {3, 3}, {}, k.pads, k.dilations, 1, true,
                   residual, activation(ActivationKind::relu)};
        Dims out = convOutDims(c);
        SCOPED_TRACE("variant " + std::to_string(k.variant) + " x " +
                     shape(k.x) + (residual ? " residual" : "") +
                     (layout == Layout::channelsLast ? " channels-last" : ""));
        TestTensor w = TestTensor::random({k.m, k.x[1], 3, 3}, seed += 10),
                   bias = TestTensor::random({k.m}, seed + 1);
        TestOp op = convOp(c);
        std::vector<int64_t> exprs;
        std::unique_ptr<Kernel> kernel;
        for (int copy = 0; copy < 2; ++copy) {
          TestTensor x = TestTensor::random(k.x, seed + 2 + copy),
                     r = TestTensor::random(out, seed + 4 + copy);
          std::vector<TestTensor> want = runReference(
              op, {&x, &w, &bias, residual ? &r : nullptr}, {output(out)});
          TestTensor xIn = withLayout(x, layout), rIn = withLayout(r, layout);
          std::vector<TestTensor> outputs{withLayout(output(out), layout)};
          KernelArgs args = makeArgs(
              op, {&xIn, &w, &bias, residual ? &rIn : nullptr}, outputs,
              exprs);
          args.backend = session.get();
          args.variant = k.variant;
          bool rowParts = k.variant == kConvWinogradRowParts;
          if (rowParts) {
            args.threads = 2;
            if (layout == Layout::plain) {
              EXPECT_FALSE(makeOneDNNKernel(args)) << "row parts of plain rows";
              break;
            }
          }
          if (!kernel) {
            kernel = makeOneDNNKernel(args);
            ASSERT_TRUE(kernel) << "no variant " << k.variant;
            session->prepare();
            std::string parts = k.x[0] > 1 ? "on each of 2 parts of the batch"
                                           : "on each of 2 parts of the rows";
            if (rowParts) {
              EXPECT_NE(kernel->implementation().find(parts),
                        std::string::npos)
                  << kernel->implementation();
            }
          }
          kernel->run(args);
          expectClose("Conv (Winograd)",
                      withLayout(outputs[0], Layout::plain).floats(),
                      want[0].floats(), 1e-5f);
        }
      }
  // A variant that does not apply gives no kernel.
  ConvCase strided{{1, 16, 8, 8}, 16, {3, 3}, {2, 2}, {1, 1, 1, 1}, {}};
  TestTensor x = TestTensor::random(strided.x, 1),
             w = TestTensor::random({16, 16, 3, 3}, 2);
  std::vector<TestTensor> outputs{output(convOutDims(strided))};
  std::vector<int64_t> exprs;
  TestOp op = convOp(strided);
  KernelArgs args = makeArgs(op, {&x, &w}, outputs, exprs);
  args.backend = session.get();
  args.threads = 2;
  for (int variant :
       {kConvWinograd, kConvPhasedWinograd, kConvWinogradRowParts}) {
    args.variant = variant;
    EXPECT_FALSE(makeOneDNNKernel(args)) << "variant " << variant;
  }
}

// The direct algorithm by another of oneDNN's implementations on the
// operands' layouts, held to the reference, with a residual too: for a
// depthwise or grouped convolution the next one (kConvNextImplementation:
// jit_dw for a depthwise one, another JIT kernel for a grouped one); for
// channels that are not whole 16-wide vectors (24, or 24 per group here),
// on an AVX-512 machine, the AVX2 kernel (kConvAVX2). Ungrouped
// convolutions have no next variant, nor one of 32 -> 48 channels an AVX2
// one.
TEST(OneDNNKernels, ConvOtherImplementations) {
  std::unique_ptr<BackendState> session = makeOneDNNState(true);
  unsigned seed = 700;
  enum Kind { depthwiseConv, pointwiseConv, groupedConv };
  for (Kind kind : {depthwiseConv, pointwiseConv, groupedConv})
    for (bool residual : {false, true}) {
      bool depthwise = kind == depthwiseConv;
      ConvCase c{{2, kind == groupedConv ? 48 : 24, 14, 14},
                 kind == pointwiseConv ? 40 : kind == groupedConv ? 48 : 24,
                 kind == pointwiseConv ? Dims{1, 1} : Dims{3, 3},
                 {},
                 kind == pointwiseConv ? Dims{} : Dims{1, 1, 1, 1},
                 {},
                 kind == pointwiseConv ? 1 : kind == groupedConv ? 2 : 24,
                 true,
                 residual,
                 activation(ActivationKind::clip, 0, 6)};
      SCOPED_TRACE(std::string(depthwise       ? "depthwise"
                               : kind == groupedConv ? "grouped"
                                                     : "1x1") +
                   (residual ? " residual" : ""));
      Dims out = convOutDims(c);
      TestTensor x = TestTensor::random(c.x, seed += 10),
                 w = TestTensor::random(
                     {c.m, c.x[1] / c.group, c.kernel[0], c.kernel[1]},
                     seed + 1),
                 bias = TestTensor::random({c.m}, seed + 2),
                 r = TestTensor::random(out, seed + 3);
      TestOp op = convOp(c);
      std::vector<TestTensor> want = runReference(
          op, {&x, &w, &bias, residual ? &r : nullptr}, {output(out)});
      TestTensor xIn = withLayout(x, Layout::channelsLast),
                 rIn = withLayout(r, Layout::channelsLast);
      std::vector<int64_t> exprs;
      std::map<int, std::string> names;
      for (int variant : {kConvDefault, kConvNextImplementation, kConvAVX2}) {
        SCOPED_TRACE("variant " + std::to_string(variant));
        std::vector<TestTensor> outputs{
            withLayout(output(out), Layout::channelsLast)};
        KernelArgs args = makeArgs(
            op, {&xIn, &w, &bias, residual ? &rIn : nullptr}, outputs, exprs);
        args.backend = session.get();
        args.variant = variant;
        std::unique_ptr<Kernel> kernel = makeOneDNNKernel(args);
        if ((kind == pointwiseConv && variant == kConvNextImplementation) ||
            (!oneDNNHasAVX512() && variant == kConvAVX2)) {
          EXPECT_FALSE(kernel);
          continue;
        }
        // Without AVX-512 a grouped convolution's next JIT kernel depends on
        // what oneDNN has for the machine's older instruction sets.
        if (!kernel && kind == groupedConv && !oneDNNHasAVX512())
          continue;
        ASSERT_TRUE(kernel);
        session->prepare();
        kernel->run(args);
        names[variant] = kernel->implementation();
        expectClose("Conv", withLayout(outputs[0], Layout::plain).floats(),
                    want[0].floats(), 1e-5f);
      }
      if (depthwise || (kind == groupedConv && oneDNNHasAVX512())) {
        EXPECT_NE(names[kConvDefault], names[kConvNextImplementation]);
        EXPECT_EQ(names[kConvNextImplementation].rfind(
                      depthwise ? "jit_dw" : "jit", 0),
                  0u)
            << names[kConvNextImplementation];
      }
      if (oneDNNHasAVX512()) {
        EXPECT_NE(names[kConvAVX2].find(":avx2"), std::string::npos)
            << names[kConvAVX2];
      }
    }
  // Channels in whole vectors: no AVX2 variant.
  ConvCase whole{{1, 32, 8, 8}, 48, {1, 1}, {}, {}, {}, 1, false};
  TestTensor x = TestTensor::random(whole.x, 1),
             w = TestTensor::random({48, 32, 1, 1}, 2);
  std::vector<TestTensor> outputs{
      withLayout(output(convOutDims(whole)), Layout::channelsLast)};
  TestTensor xIn = withLayout(x, Layout::channelsLast);
  std::vector<int64_t> exprs;
  TestOp op = convOp(whole);
  KernelArgs args = makeArgs(op, {&xIn, &w}, outputs, exprs);
  args.backend = session.get();
  args.variant = kConvAVX2;
  EXPECT_FALSE(makeOneDNNKernel(args));
}

// A grouped convolution (RegNet's, 16 channels per group), which oneDNN
// prefers in its blocked layout, runs on the channels-last operands as they
// are: reordering them in and out cost more than the blocked kernel saves.
TEST(OneDNNKernels, GroupedConvOnChannelsLast) {
  ConvCase c{{1, 64, 20, 20}, 64, {3, 3}, {2, 2}, {1, 1, 1, 1}, {}, 4};
  auto session = makeOneDNNState(true);
  Dims out = convOutDims(c);
  TestTensor x = TestTensor::random(c.x, 1850),
             w = TestTensor::random({64, 16, 3, 3}, 1851),
             bias = TestTensor::random({64}, 1852);
  TestOp op = convOp(c);
  std::vector<TestTensor> want = runReference(op, {&x, &w, &bias}, {output(out)});
  TestTensor xIn = withLayout(x, Layout::channelsLast);
  std::vector<TestTensor> outputs{withLayout(output(out), Layout::channelsLast)};
  std::vector<int64_t> exprs;
  KernelArgs args = makeArgs(op, {&xIn, &w, &bias}, outputs, exprs);
  args.backend = session.get();
  std::unique_ptr<Kernel> kernel = makeOneDNNKernel(args);
  ASSERT_TRUE(kernel);
  session->prepare();
  kernel->run(args);
  EXPECT_EQ(kernel->implementation().find("reorders"), std::string::npos)
      << kernel->implementation();
  expectClose("Conv", withLayout(outputs[0], Layout::plain).floats(),
              want[0].floats(), 1e-5f);
}

// A chain of Convs run together on bands of rows (makeOneDNNConvChain),
// held to the reference kernels run op by op: mobilenet_v2's inverted
// residual blocks (stride 1 with a residual, stride 2) and its stem (a
// strided 3x3, then a dilated depthwise and a projection), a strided 1x1
// (which skips rows) before a 3x3 padded at its end only (SAME_UPPER), on
// one image and on a batch, with one and two threads, with bands from one
// row (every stage's rows kept from band to band) to the whole image; made
// once and run over other tensors of its shapes, as each item of a batch
// does. Its depthwise stages run oneDNN's first implementation or, where
// tuning chose it for the op (kConvNextImplementation), the one the op's
// own kernel runs then.
TEST(OneDNNKernels, ConvChain) {
  struct Stage {
    int64_t m;
    int64_t kernel, stride, pad, dilation;
    bool depthwise;
    format::Activation act;
    /// The end pad, when it differs from the begin pad (`pad`).
    int64_t padEnd = -1;
  };
  format::Activation relu6 = activation(ActivationKind::clip, 0, 6),
                     none = activation(ActivationKind::none);
  struct Chain {
    const char *name;
    Dims x;
    std::vector<Stage> stages;
    bool residual;
  };
  std::vector<Chain> chains = {
      {"inverted residual",
       {1, 8, 17, 13},
       {{48, 1, 1, 0, 1, false, relu6},
        {48, 3, 1, 1, 1, true, relu6},
        {8, 1, 1, 0, 1, false, none}},
       true},
      {"strided inverted residual",
       {3, 16, 19, 11},
       {{96, 1, 1, 0, 1, false, relu6},
        {96, 3, 2, 1, 1, true, relu6},
        {24, 1, 1, 0, 1, false, none}},
       false},
      {"stem",
       {2, 3, 23, 20},
       {{32, 3, 2, 1, 1, false, relu6},
        {32, 3, 1, 2, 2, true, relu6},
        {16, 1, 1, 0, 1, false, none}},
       false},
      {"strided 1x1, then end padding",
       {2, 8, 21, 14},
       {{16, 1, 2, 0, 1, false, relu6},
        {12, 3, 2, 0, 1, false, none, 1}},
       false},
  };
  std::unique_ptr<BackendState> session = makeOneDNNState(true);
  unsigned seed = 900;
  for (const Chain &chain : chains)
    for (int threads : {1, 2})
      for (size_t bandBytes : {size_t(1), size_t(4) << 10,
                               kConvChainBandBytes})
      for (int depthwiseVariant : {kConvDefault, kConvNextImplementation}) {
        SCOPED_TRACE(std::string(chain.name) + " x " + shape(chain.x) + ", " +
                     std::to_string(threads) + " threads, bands of " +
                     std::to_string(bandBytes) + " bytes, depthwise variant " +
                     std::to_string(depthwiseVariant));
        std::vector<TestOp> ops;
        std::vector<TestTensor> weights, biases;
        std::vector<Dims> dims{chain.x};
        for (const Stage &st : chain.stages) {
          int64_t c = dims.back()[1];
          int64_t group = st.depthwise ? c : 1;
          int64_t end = st.padEnd >= 0 ? st.padEnd : st.pad;
          ConvCase cc{dims.back(), st.m, {st.kernel, st.kernel},
                      {st.stride, st.stride}, {st.pad, st.pad, end, end},
                      {st.dilation, st.dilation}, group, true, false, st.act};
          ops.push_back(convOp(cc));
          dims.push_back(convOutDims(cc));
          weights.push_back(TestTensor::random(
              {st.m, c / group, st.kernel, st.kernel}, seed += 10));
          biases.push_back(TestTensor::random({st.m}, seed + 1));
        }
        size_t last = chain.stages.size() - 1;
        std::vector<int64_t> exprs;
        std::unique_ptr<Kernel> kernel;
        for (int copy = 0; copy < 2; ++copy) {
          TestTensor x = TestTensor::random(chain.x, seed + 2 + copy),
                     r = TestTensor::random(dims.back(), seed + 4 + copy);
          // The reference, op by op, plain.
          std::vector<TestTensor> values{x};
          for (size_t j = 0; j <= last; ++j) {
            TestTensor in = values.back();
            values.push_back(runReference(
                ops[j],
                {&in, &weights[j], &biases[j],
                 j == last && chain.residual ? &r : nullptr},
                {output(dims[j + 1])})[0]);
          }
          // The chain, channels-last.
          TestTensor xIn = withLayout(x, Layout::channelsLast),
                     rIn = withLayout(r, Layout::channelsLast);
          std::vector<std::vector<TestTensor>> results;
          for (size_t j = 0; j <= last; ++j)
            results.push_back(
                {withLayout(output(dims[j + 1]), Layout::channelsLast)});
          std::vector<KernelArgs> stages;
          for (size_t j = 0; j <= last; ++j) {
            TestTensor *in = j ? &results[j - 1][0] : &xIn;
            stages.push_back(makeArgs(
                ops[j],
                {in, &weights[j], &biases[j],
                 j == last && chain.residual ? &rIn : nullptr},
                results[j], exprs));
            stages.back().threads = threads;
            stages.back().backend = session.get();
            if (chain.stages[j].depthwise)
              stages.back().variant = depthwiseVariant;
          }
          if (!kernel) {
            kernel = makeOneDNNConvChain(stages, bandBytes);
            ASSERT_TRUE(kernel) << "no chain";
            // Each stage as the op's own kernel runs it (whose variant may
            // not apply: its default then, as a session falls back to).
            std::string want;
            for (KernelArgs &stage : stages) {
              std::unique_ptr<Kernel> alone = makeOneDNNKernel(stage);
              if (!alone) {
                stage.variant = kConvDefault;
                alone = makeOneDNNKernel(stage);
              }
              ASSERT_TRUE(alone);
              std::string name = alone->implementation();
              want += (want.empty() ? "" : ", ") + name.substr(0, name.find(':'));
            }
            EXPECT_EQ(kernel->implementation().substr(
                          kernel->implementation().find(": ") + 2),
                      want);
            session->prepare();
          }
          KernelArgs args = convChainArgs(stages);
          kernel->run(args);
          expectClose("Conv (chain)",
                      withLayout(results[last][0], Layout::plain).floats(),
                      values.back().floats(), 1e-5f);
        }
      }
}

// An inverted residual block whose output the memory plan put at its input's
// bytes, which are its residual's (the sum in place): each band writes the
// output's rows while other bands, one thread's or the other's, still read
// the input's, so the chain reads a copy.
TEST(OneDNNKernels, ConvChainInPlace) {
  format::Activation relu6 = activation(ActivationKind::clip, 0, 6);
  std::unique_ptr<BackendState> session = makeOneDNNState(true);
  for (int64_t images : {1, 2})
    for (int threads : {1, 2})
      for (size_t bandBytes : {size_t(1), kConvChainBandBytes}) {
        SCOPED_TRACE(std::to_string(images) + " images, " +
                     std::to_string(threads) + " threads, bands of " +
                     std::to_string(bandBytes) + " bytes");
        Dims xDims{images, 16, 15, 9}, wide{images, 64, 15, 9};
        ConvCase expand{xDims, 64, {1, 1}, {}, {}, {}, 1, true, false, relu6},
            depthwise{wide, 64, {3, 3}, {}, {1, 1, 1, 1}, {}, 64, true, false,
                      relu6},
            project{wide, 16, {1, 1}, {}, {}, {}, 1, true, true};
        std::vector<TestOp> ops;
        for (const ConvCase *c : {&expand, &depthwise, &project})
          ops.push_back(convOp(*c));
        TestTensor x = TestTensor::random(xDims, 41),
                   w0 = TestTensor::random({64, 16, 1, 1}, 42),
                   w1 = TestTensor::random({64, 1, 3, 3}, 43),
                   w2 = TestTensor::random({16, 64, 1, 1}, 44),
                   b0 = TestTensor::random({64}, 45),
                   b1 = TestTensor::random({64}, 46),
                   b2 = TestTensor::random({16}, 47);
        TestTensor e = runReference(ops[0], {&x, &w0, &b0}, {output(wide)})[0];
        TestTensor d = runReference(ops[1], {&e, &w1, &b1}, {output(wide)})[0];
        TestTensor want =
            runReference(ops[2], {&d, &w2, &b2, &x}, {output(xDims)})[0];

        TestTensor block = withLayout(x, Layout::channelsLast);
        std::vector<TestTensor> mid0{withLayout(output(wide),
                                                Layout::channelsLast)},
            mid1 = mid0, unused{block};
        std::vector<int64_t> exprs;
        std::vector<KernelArgs> stages = {
            makeArgs(ops[0], {&block, &w0, &b0}, mid0, exprs),
            makeArgs(ops[1], {&mid0[0], &w1, &b1}, mid1, exprs),
            makeArgs(ops[2], {&mid1[0], &w2, &b2, &block}, unused, exprs)};
        stages[2].outputs[0] = &block.ref;
        for (KernelArgs &args : stages) {
          args.threads = threads;
          args.backend = session.get();
        }
        std::unique_ptr<Kernel> kernel =
            makeOneDNNConvChain(stages, bandBytes);
        ASSERT_TRUE(kernel);
        session->prepare();
        kernel->run(convChainArgs(stages));
        expectClose("Conv (chain)", withLayout(block, Layout::plain).floats(),
                    want.floats(), 1e-5f);
      }
}

// What a chain refuses: a residual before its last Conv, plain operands, one
// Conv alone.
TEST(OneDNNKernels, ConvChainUnsupported) {
  ConvCase expand{{1, 8, 6, 6}, 16, {1, 1}, {}, {}, {}, 1, true, true};
  ConvCase project{{1, 16, 6, 6}, 8, {1, 1}, {}, {}, {}, 1, true, false};
  TestOp expandOp = convOp(expand), projectOp = convOp(project);
  TestTensor x = withLayout(TestTensor::random({1, 8, 6, 6}, 1),
                            Layout::channelsLast),
             w1 = TestTensor::random({16, 8, 1, 1}, 2),
             w2 = TestTensor::random({8, 16, 1, 1}, 3),
             b1 = TestTensor::random({16}, 4), b2 = TestTensor::random({8}, 5),
             r = withLayout(TestTensor::random({1, 16, 6, 6}, 6),
                            Layout::channelsLast);
  std::vector<TestTensor> mid{withLayout(output({1, 16, 6, 6}),
                                         Layout::channelsLast)},
      out{withLayout(output({1, 8, 6, 6}), Layout::channelsLast)};
  std::vector<int64_t> exprs;
  KernelArgs first = makeArgs(expandOp, {&x, &w1, &b1, &r}, mid, exprs),
             second = makeArgs(projectOp, {&mid[0], &w2, &b2}, out, exprs);
  EXPECT_FALSE(makeOneDNNConvChain({first, second}));
  first.inputs[3] = nullptr;
  EXPECT_TRUE(makeOneDNNConvChain({first, second}));
  EXPECT_FALSE(makeOneDNNConvChain({first}));
  x.ref.layout = Layout::plain;
  EXPECT_FALSE(makeOneDNNConvChain({first, second}));
}

TEST(OneDNNKernels, ConvUnsupported) {
  ConvCase base{{1, 4, 8, 8}, 4, {3, 3}, {}, {1, 1, 1, 1}, {}};
  Dims out = convOutDims(base);
  TestTensor x = TestTensor::random(base.x, 1);
  TestTensor w = TestTensor::random({4, 4, 3, 3}, 2);
  TestTensor bias = TestTensor::random({4}, 3);
  // clip with min > max: oneDNN's clip is not min(max(x, a), b) then.
  {
    ConvCase c = base;
    c.act = activation(ActivationKind::clip, 1, -1);
    EXPECT_FALSE(supported(convOp(c), {&x, &w, &bias, nullptr}, out));
  }
  TestOp op = convOp(base);
  EXPECT_TRUE(supported(op, {&x, &w, &bias, nullptr}, out));
  // Output dims other than the conv's.
  EXPECT_FALSE(supported(op, {&x, &w, &bias, nullptr}, {1, 4, 7, 8}));
  EXPECT_FALSE(supported(op, {&x, &w, &bias, nullptr}, {1, 5, 8, 8}));
  // Weights whose channels are not the input's.
  TestTensor w3 = TestTensor::random({4, 3, 3, 3}, 4);
  EXPECT_FALSE(supported(op, {&x, &w3, &bias, nullptr}, out));
  // A bias of the wrong length, a residual of the wrong dims.
  TestTensor bias5 = TestTensor::random({5}, 5);
  EXPECT_FALSE(supported(op, {&x, &w, &bias5, nullptr}, out));
  TestTensor res = TestTensor::random({1, 4, 8, 7}, 6);
  EXPECT_FALSE(supported(op, {&x, &w, &bias, &res}, out));
  // Not f32.
  TestTensor xi(ElementType::i32, base.x);
  EXPECT_FALSE(supported(op, {&xi, &w, &bias, nullptr}, out));
  // Missing weights, too few operands.
  EXPECT_FALSE(supported(op, {&x, nullptr}, out));
  EXPECT_FALSE(supported(op, {&x}, out));
  // A group that does not divide the channels.
  ConvCase g = base;
  g.group = 3;
  EXPECT_FALSE(supported(convOp(g), {&x, &w, &bias, nullptr}, out));
  // Pads of the wrong length, a zero stride.
  ConvCase p = base;
  p.pads = {1, 1};
  EXPECT_FALSE(supported(convOp(p), {&x, &w, &bias, nullptr}, out));
  ConvCase s = base;
  s.strides = {0, 1};
  EXPECT_FALSE(supported(convOp(s), {&x, &w, &bias, nullptr}, out));
}

//===----------------------------------------------------------------------===//
// ConvTranspose
//===----------------------------------------------------------------------===//

struct DeconvCase {
  Dims x;
  int64_t m;
  Dims kernel, strides, pads, dilations, outputPadding;
  int64_t group = 1;
  bool bias = true;
  format::Activation act = activation(ActivationKind::none);
};

TestOp deconvOp(const DeconvCase &c) {
  return TestOp([&](Builder &b) {
    auto strides = c.strides.empty() ? 0 : vec(b, c.strides);
    auto pads = c.pads.empty() ? 0 : vec(b, c.pads);
    auto dil = c.dilations.empty() ? 0 : vec(b, c.dilations);
    auto op = c.outputPadding.empty() ? 0 : vec(b, c.outputPadding);
    return format::CreateConvTransposeParams(
        b, strides, pads, dil, op, c.group, format::AutoPad::notset, &c.act);
  });
}

Dims deconvOutDims(const DeconvCase &c) {
  size_t spatial = c.x.size() - 2;
  Dims out{c.x[0], c.m};
  for (size_t i = 0; i < spatial; ++i) {
    int64_t s = c.strides.empty() ? 1 : c.strides[i];
    int64_t d = c.dilations.empty() ? 1 : c.dilations[i];
    int64_t pb = c.pads.empty() ? 0 : c.pads[i];
    int64_t pe = c.pads.empty() ? 0 : c.pads[spatial + i];
    int64_t op = c.outputPadding.empty() ? 0 : c.outputPadding[i];
    out.push_back((c.x[2 + i] - 1) * s + op + (c.kernel[i] - 1) * d + 1 -
                  pb - pe);
  }
  return out;
}

void checkDeconv(const DeconvCase &c, unsigned seed) {
  Dims w{c.x[1], c.m / c.group};
  w.insert(w.end(), c.kernel.begin(), c.kernel.end());
  Dims out = deconvOutDims(c);
  SCOPED_TRACE("deconv x " + shape(c.x) + " w " + shape(w) + " y " +
               shape(out) + " group " + std::to_string(c.group));
  TestTensor x = TestTensor::random(c.x, seed);
  TestTensor weights = TestTensor::random(w, seed + 1);
  TestTensor bias = TestTensor::random({c.m}, seed + 2);
  expectMatch(deconvOp(c), {&x, &weights, c.bias ? &bias : nullptr}, out);
}

TEST(OneDNNKernels, ConvTranspose) {
  std::vector<DeconvCase> cases = {
      {{1, 4, 5, 5}, 3, {3, 3}, {}, {}, {}, {}},
      {{2, 4, 5, 6}, 6, {3, 3}, {2, 2}, {1, 1, 1, 1}, {}, {1, 1}},
      {{1, 8, 4, 4}, 4, {4, 4}, {2, 2}, {1, 1, 1, 1}, {}, {}, 2},
      {{1, 6, 5, 5}, 6, {3, 3}, {2, 2}, {1, 1, 1, 1}, {}, {1, 1}, 6, false},
      {{1, 3, 6, 5}, 5, {3, 2}, {1, 2}, {0, 1, 2, 0}, {2, 1}, {}},
      {{1, 4, 7}, 2, {5}, {3}, {2, 3}, {}, {2}},
      {{1, 2, 3, 4, 3}, 4, {2, 2, 2}, {2, 2, 2}, {}, {}, {}},
  };
  unsigned seed = 600;
  for (const DeconvCase &c : cases)
    checkDeconv(c, seed += 10);
  for (const format::Activation &act : allActivations()) {
    DeconvCase c{{1, 4, 5, 5}, 4, {3, 3}, {2, 2}, {1, 1, 1, 1}, {}, {1, 1}};
    c.act = act;
    checkDeconv(c, seed += 10);
  }
}

TEST(OneDNNKernels, ConvTransposeUnsupported) {
  // Output padding beyond the end padding.
  DeconvCase c{{1, 2, 4, 4}, 2, {3, 3}, {2, 2}, {}, {}, {1, 1}};
  TestTensor x = TestTensor::random(c.x, 1);
  TestTensor w = TestTensor::random({2, 2, 3, 3}, 2);
  EXPECT_FALSE(supported(deconvOp(c), {&x, &w, nullptr}, deconvOutDims(c)));
  c.outputPadding = {};
  EXPECT_TRUE(supported(deconvOp(c), {&x, &w, nullptr}, deconvOutDims(c)));
  EXPECT_FALSE(supported(deconvOp(c), {&x, &w, nullptr}, {1, 2, 10, 9}));
}

//===----------------------------------------------------------------------===//
// Pool
//===----------------------------------------------------------------------===//

struct PoolCase {
  format::PoolKind kind;
  Dims x, kernel, strides, pads, dilations;
  bool ceil = false, includePad = false;
  format::AutoPad autoPad = format::AutoPad::notset;
};

/// ONNX's output size, ceil_mode dropping a window that starts in the end
/// padding.
Dims poolOutDims(const PoolCase &c) {
  size_t spatial = c.x.size() - 2;
  Dims in(c.x.begin() + 2, c.x.end());
  Dims strides = c.strides.empty() ? Dims(spatial, 1) : c.strides;
  Dims dil = c.dilations.empty() ? Dims(spatial, 1) : c.dilations;
  Dims pads = resolvePads(c.autoPad, in, c.kernel, strides, dil,
                          c.pads.empty() ? Dims(2 * spatial, 0) : c.pads);
  Dims out{c.x[0], c.x[1]};
  for (size_t i = 0; i < spatial; ++i) {
    int64_t span = (c.kernel[i] - 1) * dil[i] + 1;
    int64_t room = in[i] + pads[i] + pads[spatial + i] - span;
    int64_t o = (c.ceil ? (room + strides[i] - 1) / strides[i]
                        : room / strides[i]) +
                1;
    if (c.ceil && (o - 1) * strides[i] >= in[i] + pads[i])
      --o;
    out.push_back(o);
  }
  return out;
}

TestOp poolOp(const PoolCase &c) {
  return TestOp([&](Builder &b) {
    auto kernel = vec(b, c.kernel);
    auto strides = c.strides.empty() ? 0 : vec(b, c.strides);
    auto pads = c.pads.empty() ? 0 : vec(b, c.pads);
    auto dil = c.dilations.empty() ? 0 : vec(b, c.dilations);
    return format::CreatePoolParams(b, c.kind, kernel, strides, pads, dil,
                                    c.ceil, c.includePad, c.autoPad);
  });
}

std::string describe(const PoolCase &c) {
  std::ostringstream s;
  s << (c.kind == format::PoolKind::max ? "max" : "avg") << " x "
    << shape(c.x) << " k " << shape(c.kernel) << " s " << shape(c.strides)
    << " p " << shape(c.pads) << " d " << shape(c.dilations)
    << (c.ceil ? " ceil" : "") << (c.includePad ? " include_pad" : "");
  return s.str();
}

void checkPool(const PoolCase &c, unsigned seed) {
  Dims out = poolOutDims(c);
  SCOPED_TRACE(describe(c) + " -> " + shape(out));
  TestTensor x = TestTensor::random(c.x, seed);
  expectMatch(poolOp(c), {&x}, out);
}

TEST(OneDNNKernels, Pool) {
  using format::PoolKind;
  std::vector<PoolCase> shapes = {
      {PoolKind::max, {1, 3, 8, 8}, {2, 2}, {2, 2}, {}, {}},
      {PoolKind::max, {2, 4, 9, 9}, {3, 3}, {2, 2}, {1, 1, 1, 1}, {}},
      {PoolKind::max, {1, 2, 10, 7}, {3, 2}, {2, 1}, {0, 1, 1, 0}, {}},
      {PoolKind::max, {1, 2, 11, 11}, {3, 3}, {1, 1}, {1, 1, 1, 1}, {2, 2}},
      {PoolKind::max, {1, 3, 7, 7}, {3, 3}, {3, 3}, {}, {}},
      {PoolKind::max, {1, 3, 13, 10}, {3, 3}, {2, 2}, {1, 1, 0, 0}, {}},
      {PoolKind::max, {1, 2, 12}, {3}, {2}, {1, 1}, {}},
      {PoolKind::max, {1, 2, 5, 6, 7}, {2, 2, 2}, {2, 2, 2}, {}, {}},
  };
  unsigned seed = 700;
  for (PoolCase c : shapes)
    for (PoolKind kind : {PoolKind::max, PoolKind::average})
      for (bool includePad : {false, true})
        for (bool ceil : {false, true}) {
          if (kind == PoolKind::max && includePad)
            continue;
          c.kind = kind;
          c.includePad = includePad;
          c.ceil = ceil;
          // An average that counts the padding, with ceil_mode adding a
          // window: ONNX does not count the extension; the reference kernel
          // runs it.
          Dims out = poolOutDims(c);
          PoolCase floorCase = c;
          floorCase.ceil = false;
          bool extended = out != poolOutDims(floorCase);
          if (includePad && extended) {
            TestTensor x = TestTensor::random(c.x, seed);
            EXPECT_FALSE(supported(poolOp(c), {&x}, out)) << describe(c);
            continue;
          }
          checkPool(c, seed += 10);
        }
}

// Only a Conv has variants (ConvVariant): any other op's factory gives no
// kernel for one, so that tuning times its one-thread alternative instead.
TEST(OneDNNKernels, OnlyConvsHaveVariants) {
  PoolCase p{format::PoolKind::max, {1, 8, 6, 6}, {2, 2}, {2, 2}};
  TestTensor x = TestTensor::random(p.x, 3);
  std::vector<TestTensor> outputs{output(poolOutDims(p))};
  std::vector<int64_t> exprs;
  TestOp op = poolOp(p);
  KernelArgs args = makeArgs(op, {&x}, outputs, exprs);
  EXPECT_TRUE(makeOneDNNKernel(args));
  for (int variant = 1; variant < kConvVariants; ++variant) {
    args.variant = variant;
    EXPECT_FALSE(makeOneDNNKernel(args)) << "Pool variant " << variant;
  }
}

TEST(OneDNNKernels, PoolAutoPad) {
  unsigned seed = 800;
  for (format::AutoPad autoPad :
       {format::AutoPad::same_upper, format::AutoPad::same_lower,
        format::AutoPad::valid})
    for (format::PoolKind kind :
         {format::PoolKind::max, format::PoolKind::average}) {
      PoolCase c{kind, {1, 3, 9, 10}, {3, 2}, {2, 2}, {}, {}};
      c.autoPad = autoPad;
      checkPool(c, seed += 10);
    }
}

TEST(OneDNNKernels, PoolUnsupported) {
  PoolCase c{format::PoolKind::max, {1, 2, 6, 6}, {2, 2}, {2, 2}, {}, {}};
  TestTensor x = TestTensor::random(c.x, 1);
  TestOp op = poolOp(c);
  Dims out = poolOutDims(c);
  EXPECT_TRUE(supported(op, {&x}, out));
  // A max pool's indices output.
  std::vector<TestTensor> outputs{output(out), TestTensor(ElementType::i64,
                                                          out)};
  std::vector<int64_t> exprs;
  KernelArgs args = makeArgs(op, {&x}, outputs, exprs);
  EXPECT_FALSE(makeOneDNNKernel(args));
  // An output size no window arithmetic gives.
  EXPECT_FALSE(supported(op, {&x}, {1, 2, 4, 3}));
  // A kernel of the wrong rank.
  PoolCase k = c;
  k.kernel = {2};
  EXPECT_FALSE(supported(poolOp(k), {&x}, out));
  // Padding as large as the window: windows wholly in the padding.
  PoolCase p{format::PoolKind::average, {1, 2, 6, 6}, {2, 2}, {1, 1},
             {2, 2, 2, 2}, {}};
  EXPECT_FALSE(supported(poolOp(p), {&x}, poolOutDims(p)));
}

TEST(OneDNNKernels, GlobalPool) {
  unsigned seed = 900;
  for (format::PoolKind kind :
       {format::PoolKind::max, format::PoolKind::average})
    for (Dims x : {Dims{1, 3, 7, 7}, Dims{2, 16, 5, 9}, Dims{2, 4, 10},
                   Dims{1, 3, 2, 3, 4}}) {
      SCOPED_TRACE(shape(x));
      Dims out(x.size(), 1);
      out[0] = x[0], out[1] = x[1];
      TestOp op([&](Builder &b) {
        return format::CreateGlobalPoolParams(b, kind);
      });
      TestTensor t = TestTensor::random(x, seed += 10);
      expectMatch(op, {&t}, out);
    }
}

//===----------------------------------------------------------------------===//
// BatchNorm
//===----------------------------------------------------------------------===//

TEST(OneDNNKernels, BatchNorm) {
  unsigned seed = 1000;
  for (Dims x : {Dims{2, 3, 5, 5}, Dims{4, 6}, Dims{1, 4, 10},
                 Dims{1, 2, 3, 4, 5}})
    for (ActivationKind kind : {ActivationKind::none, ActivationKind::relu}) {
      SCOPED_TRACE(shape(x));
      format::Activation act = activation(kind);
      TestOp op([&](Builder &b) {
        return format::CreateBatchNormParams(b, 1e-3f, &act);
      });
      int64_t c = x[1];
      TestTensor t = TestTensor::random(x, seed += 10, -3, 3);
      TestTensor scale = TestTensor::random({c}, seed + 1);
      TestTensor bias = TestTensor::random({c}, seed + 2);
      TestTensor mean = TestTensor::random({c}, seed + 3);
      TestTensor var = TestTensor::random({c}, seed + 4, 0.1f, 2);
      expectMatch(op, {&t, &scale, &bias, &mean, &var}, x);
    }
  // Other activations stay with the reference kernel.
  format::Activation act = activation(ActivationKind::sigmoid);
  TestOp op([&](Builder &b) {
    return format::CreateBatchNormParams(b, 1e-3f, &act);
  });
  TestTensor t = TestTensor::random({1, 2, 3, 3}, 1);
  TestTensor p = TestTensor::random({2}, 2, 0.5f, 1);
  EXPECT_FALSE(supported(op, {&t, &p, &p, &p, &p}, {1, 2, 3, 3}));
  TestTensor p3 = TestTensor::random({3}, 2, 0.5f, 1);
  TestOp plain([&](Builder &b) {
    return format::CreateBatchNormParams(b, 1e-3f);
  });
  EXPECT_FALSE(supported(plain, {&t, &p, &p3, &p, &p}, {1, 2, 3, 3}));
  EXPECT_FALSE(supported(plain, {&t, &p, &p, &p}, {1, 2, 3, 3}));
}

//===----------------------------------------------------------------------===//
// Unary, Binary, Softmax
//===----------------------------------------------------------------------===//

TEST(OneDNNKernels, Unary) {
  using format::UnaryKind;
  struct Case {
    UnaryKind kind;
    float alpha, beta, lo, hi;
  };
  std::vector<Case> cases = {
      {UnaryKind::relu, 0, 0, -5, 5},
      {UnaryKind::leaky_relu, 0.01f, 0, -5, 5},
      {UnaryKind::sigmoid, 0, 0, -10, 10},
      {UnaryKind::tanh, 0, 0, -5, 5},
      {UnaryKind::hard_sigmoid, 0.2f, 0.5f, -5, 5},
      {UnaryKind::hard_swish, 0, 0, -8, 8},
      {UnaryKind::elu, 1.0f, 0, -5, 5},
      {UnaryKind::softplus, 0, 0, -20, 20},
      {UnaryKind::exp, 0, 0, -10, 10},
      {UnaryKind::log, 0, 0, 0.001f, 100},
      {UnaryKind::sqrt, 0, 0, 0, 100},
      {UnaryKind::abs, 0, 0, -5, 5},
      {UnaryKind::neg, 0, 0, -5, 5},
  };
  unsigned seed = 1100;
  for (const Case &c : cases)
    for (Dims dims : {Dims{1, 3, 7, 7}, Dims{1000}, Dims{}}) {
      SCOPED_TRACE(std::string(format::EnumNameUnaryKind(c.kind)) + " " +
                   shape(dims));
      TestOp op([&](Builder &b) {
        return format::CreateUnaryParams(b, c.kind, c.alpha, c.beta);
      });
      TestTensor x = TestTensor::random(dims, seed += 10, c.lo, c.hi);
      expectMatch(op, {&x}, dims);
    }
  for (UnaryKind kind : {UnaryKind::erf, UnaryKind::floor, UnaryKind::ceil,
                         UnaryKind::reciprocal}) {
    TestOp op([&](Builder &b) { return format::CreateUnaryParams(b, kind); });
    TestTensor x = TestTensor::random({4}, 1);
    EXPECT_FALSE(supported(op, {&x}, {4}))
        << format::EnumNameUnaryKind(kind);
  }
  TestOp relu([&](Builder &b) { return format::CreateUnaryParams(b); });
  TestTensor x = TestTensor::random({4}, 1);
  EXPECT_FALSE(supported(relu, {&x}, {5}));
}

TEST(OneDNNKernels, Binary) {
  using format::BinaryKind;
  struct Case {
    Dims lhs, rhs;
  };
  std::vector<Case> shapes = {
      {{2, 3, 4, 5}, {2, 3, 4, 5}}, {{2, 3, 4, 5}, {1, 3, 1, 1}},
      {{2, 3, 4, 5}, {3, 1, 1}},    {{2, 3, 4, 5}, {5}},
      {{2, 3, 4, 5}, {}},           {{2, 3, 4, 5}, {2, 1, 4, 1}},
      {{7, 9}, {7, 1}},             {{1, 64}, {64}},
      // Broadcasts oneDNN's JIT refuses (BroadcastBinary): along the last
      // dim (LayerNorm's mean), the middle ones, over enough elements to
      // share among threads.
      {{1, 5, 6, 16}, {1, 5, 6, 1}}, {{2, 3, 4, 5}, {2, 1, 1, 5}},
      {{2, 40, 30, 16}, {2, 40, 30, 1}},
  };
  unsigned seed = 1200;
  for (BinaryKind kind : {BinaryKind::add, BinaryKind::sub, BinaryKind::mul,
                          BinaryKind::div, BinaryKind::max, BinaryKind::min})
    for (const Case &c : shapes) {
      SCOPED_TRACE(std::string(format::EnumNameBinaryKind(kind)) + " " +
                   shape(c.lhs) + " " + shape(c.rhs));
      TestOp op([&](Builder &b) {
        return format::CreateBinaryParams(b, kind);
      });
      TestTensor a = TestTensor::random(c.lhs, seed += 10);
      // Divisors away from 0.
      TestTensor b = kind == BinaryKind::div
                         ? TestTensor::random(c.rhs, seed + 1, 0.5f, 2)
                         : TestTensor::random(c.rhs, seed + 1);
      expectMatch(op, {&a, &b}, c.lhs);
      // The broadcast operand first: commutative ops swap.
      bool commutative = kind != BinaryKind::sub && kind != BinaryKind::div;
      if (c.lhs != c.rhs) {
        if (commutative)
          expectMatch(op, {&b, &a}, c.lhs);
        else
          EXPECT_FALSE(supported(op, {&b, &a}, c.lhs));
      }
    }
  for (const format::Activation &act : allActivations()) {
    SCOPED_TRACE(format::EnumNameActivationKind(act.kind()));
    TestOp op([&](Builder &b) {
      return format::CreateBinaryParams(b, BinaryKind::add, &act);
    });
    TestTensor a = TestTensor::random({2, 8, 3, 3}, seed += 10, -4, 4);
    TestTensor b = TestTensor::random({8, 1, 1}, seed + 1, -4, 4);
    expectMatch(op, {&a, &b}, {2, 8, 3, 3});
    TestTensor rows = TestTensor::random({2, 8, 3, 1}, seed + 2, -4, 4);
    expectMatch(op, {&a, &rows}, {2, 8, 3, 3});
  }
  {
    // The broadcasts oneDNN runs by its reference implementation run by
    // mlc's loop; the ones its JIT takes stay with it.
    TestOp sub([&](Builder &b) {
      return format::CreateBinaryParams(b, BinaryKind::sub);
    });
    TestTensor x = TestTensor::random({1, 5, 6, 16}, 7),
               mean = TestTensor::random({1, 5, 6, 1}, 8),
               channel = TestTensor::random({1, 5, 1, 1}, 9);
    EXPECT_EQ(implementationOf(sub, {&x, &mean}, {1, 5, 6, 16}),
              "mlc:broadcast");
    EXPECT_NE(implementationOf(sub, {&x, &channel}, {1, 5, 6, 16}),
              "mlc:broadcast");
  }
  // pow; both operands broadcast; dims that do not broadcast.
  TestTensor a = TestTensor::random({2, 3}, 1), b = TestTensor::random({2, 3},
                                                                       2);
  TestTensor col = TestTensor::random({2, 1}, 3),
             row = TestTensor::random({1, 3}, 4),
             bad = TestTensor::random({4}, 5);
  TestOp pow([&](Builder &bb) {
    return format::CreateBinaryParams(bb, BinaryKind::pow);
  });
  TestOp add([&](Builder &bb) { return format::CreateBinaryParams(bb); });
  EXPECT_FALSE(supported(pow, {&a, &b}, {2, 3}));
  // x ^ 2 by a constant 2 (LayerNorm's variance) is x * x.
  TestTensor two = TestTensor::f32({}, {2.0f}), three = TestTensor::f32({}, {3.0f});
  two.ref.constant = three.ref.constant = true;
  expectMatch(pow, {&a, &two}, {2, 3});
  EXPECT_FALSE(supported(pow, {&a, &three}, {2, 3}));
  EXPECT_FALSE(supported(add, {&col, &row}, {2, 3}));
  EXPECT_FALSE(supported(add, {&a, &bad}, {2, 3}));
  EXPECT_FALSE(supported(add, {&a, &b}, {3, 2}));
}

TEST(OneDNNKernels, Softmax) {
  unsigned seed = 1300;
  for (bool log : {false, true})
    for (auto [dims, axis] :
         std::vector<std::pair<Dims, int>>{{{2, 10}, 1},
                                           {{2, 10}, -1},
                                           {{3, 4, 5}, 1},
                                           {{3, 4, 5}, 0},
                                           {{2, 3, 4, 5}, -1},
                                           {{1000}, 0}}) {
      SCOPED_TRACE(shape(dims) + " axis " + std::to_string(axis) +
                   (log ? " log" : ""));
      TestOp op([&](Builder &b) {
        return format::CreateSoftmaxParams(b, axis, log);
      });
      TestTensor x = TestTensor::random(dims, seed += 10, -10, 10);
      expectMatch(op, {&x}, dims);
    }
  TestOp op([&](Builder &b) { return format::CreateSoftmaxParams(b, 2); });
  TestTensor x = TestTensor::random({2, 3}, 1);
  EXPECT_FALSE(supported(op, {&x}, {2, 3}));
}

//===----------------------------------------------------------------------===//
// Gemm and MatMul
//===----------------------------------------------------------------------===//

TEST(OneDNNKernels, Gemm) {
  unsigned seed = 1400;
  int64_t m = 5, k = 7, n = 6;
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (auto [alpha, beta] : std::vector<std::pair<float, float>>{
               {1, 1}, {0.5f, 1}, {1, 2}, {2.5f, -0.5f}, {1, 0}})
        for (Dims c : {Dims{n}, Dims{m, n}, Dims{m, 1}, Dims{1, n},
                       Dims{1, 1}, Dims{}, Dims{-1}}) {
          bool noC = c == Dims{-1};
          SCOPED_TRACE("trans " + std::to_string(ta) + std::to_string(tb) +
                       " alpha " + std::to_string(alpha) + " beta " +
                       std::to_string(beta) + " c " +
                       (noC ? "none" : shape(c)));
          TestOp op([&](Builder &b) {
            return format::CreateGemmParams(b, alpha, beta, ta, tb);
          });
          TestTensor a = TestTensor::random(ta ? Dims{k, m} : Dims{m, k},
                                            seed += 10);
          TestTensor b = TestTensor::random(tb ? Dims{n, k} : Dims{k, n},
                                            seed + 1);
          TestTensor ct = TestTensor::random(noC ? Dims{1} : c, seed + 2);
          expectMatch(op, {&a, &b, noC ? nullptr : &ct}, {m, n});
        }
  for (const format::Activation &act : allActivations()) {
    SCOPED_TRACE(format::EnumNameActivationKind(act.kind()));
    TestOp op([&](Builder &b) {
      return format::CreateGemmParams(b, 1, 1, false, true, &act);
    });
    TestTensor a = TestTensor::random({4, 64}, seed += 10);
    TestTensor b = TestTensor::random({32, 64}, seed + 1);
    TestTensor c = TestTensor::random({32}, seed + 2);
    expectMatch(op, {&a, &b, &c}, {4, 32});
  }
  // Larger ones, as a classifier's (other oneDNN implementations).
  for (auto [alpha, beta] :
       std::vector<std::pair<float, float>>{{0.5f, 2}, {1.5f, 0}}) {
    format::Activation relu = activation(ActivationKind::relu);
    TestOp op([&](Builder &b) {
      return format::CreateGemmParams(b, alpha, beta, false, true, &relu);
    });
    TestTensor a = TestTensor::random({8, 512}, seed += 10);
    TestTensor b = TestTensor::random({1000, 512}, seed + 1);
    TestTensor c = TestTensor::random({1000}, seed + 2);
    expectMatch(op, {&a, &b, &c}, {8, 1000});
  }
  TestOp op([&](Builder &b) {
    return format::CreateGemmParams(b, 1, 1, false, true);
  });
  TestTensor a = TestTensor::random({2, 512}, 1);
  TestTensor b = TestTensor::random({1000, 512}, 2);
  TestTensor c = TestTensor::random({1000}, 3);
  expectMatch(op, {&a, &b, &c}, {2, 1000});
  // Inconsistent operands.
  TestTensor c5 = TestTensor::random({5}, 4);
  EXPECT_FALSE(supported(op, {&a, &b, &c5}, {2, 1000}));
  EXPECT_FALSE(supported(op, {&a, &b, &c}, {2, 999}));
  TestTensor b2 = TestTensor::random({1000, 511}, 5);
  EXPECT_FALSE(supported(op, {&a, &b2, &c}, {2, 1000}));
}

TEST(OneDNNKernels, MatMul) {
  struct Case {
    Dims a, b, y;
  };
  std::vector<Case> cases = {
      {{3, 4}, {4, 5}, {3, 5}},
      {{2, 3, 4}, {2, 4, 5}, {2, 3, 5}},
      {{2, 3, 4}, {4, 5}, {2, 3, 5}},
      {{3, 4}, {2, 4, 5}, {2, 3, 5}},
      {{2, 1, 3, 4}, {1, 3, 4, 5}, {2, 3, 3, 5}},
      {{4}, {4, 5}, {5}},
      {{3, 4}, {4}, {3}},
      {{2, 3, 4}, {4}, {2, 3}},
      {{4}, {2, 4, 5}, {2, 5}},
      {{1, 12, 16, 8}, {1, 12, 8, 16}, {1, 12, 16, 16}},
  };
  TestOp op([](Builder &b) { return format::CreateMatMulParams(b); });
  unsigned seed = 1500;
  for (const Case &c : cases)
    for (bool constant : {false, true}) {
      // A constant weight of one matrix (a Linear layer's): the batch dims
      // fold into the rows.
      SCOPED_TRACE(shape(c.a) + " x " + shape(c.b) +
                   (constant ? " constant" : ""));
      TestTensor a = TestTensor::random(c.a, seed += 10);
      TestTensor b = TestTensor::random(c.b, seed + 1);
      b.ref.constant = constant;
      expectMatch(op, {&a, &b}, c.y);
    }
  // A fused bias and activation (a Linear layer on [.., C]), with a
  // constant weight and with an activation as b.
  for (const format::Activation &act : allActivations())
    for (bool constant : {false, true}) {
      SCOPED_TRACE(std::string(format::EnumNameActivationKind(act.kind())) +
                   (constant ? " constant" : ""));
      TestOp linear([&](Builder &b) {
        return format::CreateMatMulParams(b, &act);
      });
      TestTensor x = TestTensor::random({2, 3, 4, 8}, seed += 10, -2, 2);
      TestTensor w = TestTensor::random({8, 16}, seed + 1, -1, 1);
      TestTensor bias = TestTensor::random({16}, seed + 2, -1, 1);
      w.ref.constant = constant;
      expectMatch(linear, {&x, &w, &bias}, {2, 3, 4, 16});
    }
  TestTensor a = TestTensor::random({3, 4}, 1), b = TestTensor::random({5, 5},
                                                                       2);
  EXPECT_FALSE(supported(op, {&a, &b}, {3, 5}));
  TestTensor b2 = TestTensor::random({4, 5}, 3);
  EXPECT_FALSE(supported(op, {&a, &b2}, {3, 4}));
  EXPECT_FALSE(supported(op, {&a, &b2}, {1, 3, 5}));
}

//===----------------------------------------------------------------------===//
// Concat and Resize
//===----------------------------------------------------------------------===//

TEST(OneDNNKernels, Concat) {
  unsigned seed = 1600;
  for (int axis : {0, 1, 2, 3, -1, -3}) {
    SCOPED_TRACE("axis " + std::to_string(axis));
    size_t a = axis < 0 ? axis + 4 : axis;
    Dims d1{2, 3, 4, 5}, d2 = d1, d3 = d1, out = d1;
    d2[a] = 1;
    d3[a] = 6;
    out[a] = d1[a] + d2[a] + d3[a];
    TestOp op([&](Builder &b) { return format::CreateConcatParams(b, axis); });
    TestTensor x1 = TestTensor::random(d1, seed += 10),
               x2 = TestTensor::random(d2, seed + 1),
               x3 = TestTensor::random(d3, seed + 2);
    expectMatch(op, {&x1, &x2, &x3}, out);
    EXPECT_EQ(implementationOf(op, {&x1, &x2, &x3}, out), "mlc:concat_rows");
    // Channels-last operands (a fire module's, a dense block's): along C
    // each position's row is the inputs' channels one after another; the
    // same loop for any axis. With the layouts mixed, oneDNN's concat.
    std::vector<TestTensor> want =
        runReference(op, {&x1, &x2, &x3}, {output(out)});
    for (bool mixed : {false, true}) {
      TestTensor l1 = withLayout(x1, Layout::channelsLast),
                 l2 = mixed ? x2 : withLayout(x2, Layout::channelsLast),
                 l3 = withLayout(x3, Layout::channelsLast);
      std::vector<TestTensor> outputs{
          withLayout(output(out), Layout::channelsLast)};
      std::vector<int64_t> exprs;
      KernelArgs args = makeArgs(op, {&l1, &l2, &l3}, outputs, exprs);
      std::unique_ptr<Kernel> kernel = makeOneDNNKernel(args);
      ASSERT_TRUE(kernel);
      EXPECT_EQ(kernel->implementation() == "mlc:concat_rows", !mixed);
      kernel->run(args);
      EXPECT_EQ(withLayout(outputs[0], Layout::plain).floats(),
                want[0].floats());
    }
  }
  TestOp op([&](Builder &b) { return format::CreateConcatParams(b, 1); });
  TestTensor x1 = TestTensor::random({2, 3}, 1), x2 = TestTensor::random(
                                                     {3, 3}, 2);
  EXPECT_FALSE(supported(op, {&x1, &x2}, {2, 6}));
  EXPECT_FALSE(supported(op, {&x1, &x1}, {2, 7}));
  TestOp far([&](Builder &b) { return format::CreateConcatParams(b, 2); });
  EXPECT_FALSE(supported(far, {&x1, &x1}, {2, 6}));
}

// A Concat along the channels and the BatchNorm (+ ReLU) that alone reads it
// as one kernel (makeOneDNNConcatNorm, DenseNet's layers), held to the two
// reference kernels run one after the other: channels-last and plain
// operands, a batch of 2, channel counts of any size, with ReLU and without.
// Refused: another activation, a norm of another tensor, an output over an
// input, statistics that are not weights, mixed layouts, another axis.
TEST(OneDNNKernels, ConcatNorm) {
  TestOp concatOp([](Builder &b) { return format::CreateConcatParams(b, 1); });
  std::vector<Dims> parts = {{2, 5, 6, 7}, {2, 16, 6, 7}, {2, 3, 6, 7}};
  Dims joined{2, 24, 6, 7};
  unsigned seed = 1700;
  std::vector<TestTensor> xs;
  for (const Dims &d : parts)
    xs.push_back(TestTensor::random(d, seed += 10, -2, 2));
  TestTensor gamma = TestTensor::random({24}, seed + 1),
             beta = TestTensor::random({24}, seed + 2),
             mean = TestTensor::random({24}, seed + 3),
             var = TestTensor::random({24}, seed + 4, 0.1f, 2);
  for (ActivationKind kind : {ActivationKind::relu, ActivationKind::none})
    for (Layout layout : {Layout::channelsLast, Layout::plain}) {
      SCOPED_TRACE(std::string(format::EnumNameActivationKind(kind)) +
                   (layout == Layout::plain ? ", plain" : ", channels-last"));
      format::Activation act = activation(kind);
      TestOp normOp([&](Builder &b) {
        return format::CreateBatchNormParams(b, 1e-3f, &act);
      });
      std::vector<TestTensor *> xPointers;
      for (TestTensor &x : xs)
        xPointers.push_back(&x);
      TestTensor concatenated =
          runReference(concatOp, xPointers, {output(joined)})[0];
      TestTensor want = runReference(
          normOp, {&concatenated, &gamma, &beta, &mean, &var},
          {output(joined)})[0];

      std::vector<TestTensor> ins;
      for (TestTensor &x : xs)
        ins.push_back(withLayout(x, layout));
      std::vector<TestTensor *> inPointers;
      for (TestTensor &x : ins)
        inPointers.push_back(&x);
      std::vector<TestTensor> between{withLayout(output(joined), layout)},
          result{withLayout(output(joined), layout)};
      std::vector<int64_t> exprs;
      KernelArgs concat = makeArgs(concatOp, inPointers, between, exprs);
      KernelArgs norm = makeArgs(
          normOp, {&between[0], &gamma, &beta, &mean, &var}, result, exprs);
      for (TestTensor &x : ins)
        x.ref.constant = false; // Activations, as a session has them.
      between[0].ref.constant = false;
      std::unique_ptr<Kernel> kernel = makeOneDNNConcatNorm(concat, norm);
      ASSERT_TRUE(kernel);
      EXPECT_EQ(kernel->implementation(), "mlc:concat_rows + batch_norm");
      kernel->run(concatNormArgs(concat, norm));
      expectClose("Concat + BatchNorm",
                  withLayout(result[0], Layout::plain).floats(),
                  want.floats(), 1e-6f);

      if (kind != ActivationKind::relu || layout != Layout::plain)
        continue;
      format::Activation sigmoid = activation(ActivationKind::sigmoid);
      TestOp sigmoidNorm([&](Builder &b) {
        return format::CreateBatchNormParams(b, 1e-3f, &sigmoid);
      });
      KernelArgs other = norm;
      other.op = sigmoidNorm.op();
      EXPECT_FALSE(makeOneDNNConcatNorm(concat, other));
      other = norm;
      other.inputs[0] = &ins[0].ref;
      EXPECT_FALSE(makeOneDNNConcatNorm(concat, other));
      std::vector<TestTensor> overInput{output(joined)};
      overInput[0].ref.data = ins[1].ref.data;
      other = norm;
      other.outputs = {&overInput[0].ref};
      EXPECT_FALSE(makeOneDNNConcatNorm(concat, other));
      mean.ref.constant = false;
      EXPECT_FALSE(makeOneDNNConcatNorm(concat, norm));
      mean.ref.constant = true;
      ins[2].ref.layout = Layout::channelsLast;
      EXPECT_FALSE(makeOneDNNConcatNorm(concat, norm));
      ins[2].ref.layout = Layout::plain;
      EXPECT_TRUE(makeOneDNNConcatNorm(concat, norm));
      // Halves along H: each row is not one channel's run.
      TestOp alongH([](Builder &b) { return format::CreateConcatParams(b, 2); });
      TestTensor top = TestTensor::random({2, 24, 3, 7}, seed + 5),
                 bottom = TestTensor::random({2, 24, 3, 7}, seed + 6);
      KernelArgs halves = makeArgs(alongH, {&top, &bottom}, between, exprs);
      EXPECT_FALSE(makeOneDNNConcatNorm(halves, norm));
    }
}

// A Mul by per-image, per-channel scales (a squeeze-and-excitation gate)
// and the Conv that reads it, as one kernel that scales each image's
// weights: against the two reference kernels, with either operand order,
// per-image or shared scales, 1x1 and padded 3x3 windows, a residual,
// swish after; and refused where it does not apply or would not pay.
TEST(OneDNNKernels, ScaledConv) {
  TestOp mulOp([](Builder &b) {
    return format::CreateBinaryParams(b, format::BinaryKind::mul);
  });
  Dims xDims{2, 8, 12, 12};
  struct Case {
    int64_t m, k;
    Dims scales;
    bool scalesFirst, residual;
    ActivationKind act;
  };
  std::vector<Case> cases = {
      {4, 1, {2, 8, 1, 1}, false, false, ActivationKind::none},
      {4, 1, {2, 8, 1, 1}, true, true, ActivationKind::none},
      {2, 3, {2, 8, 1, 1}, false, true, ActivationKind::relu},
      {3, 1, {1, 8, 1, 1}, false, false, ActivationKind::swish},
  };
  unsigned seed = 1800;
  for (const Case &k : cases) {
    ConvCase c{xDims, k.m, {k.k, k.k}, {}, Dims(4, k.k / 2), {}, 1, true,
               k.residual, activation(k.act)};
    Dims out = convOutDims(c);
    SCOPED_TRACE(std::to_string(k.m) + " outputs, " + std::to_string(k.k) +
                 "x" + std::to_string(k.k) + ", scales " + shape(k.scales) +
                 (k.scalesFirst ? " first" : "") +
                 (k.residual ? ", residual" : ""));
    TestOp convOpK = convOp(c);
    TestTensor x = TestTensor::random(xDims, seed += 10, -2, 2),
               scales = TestTensor::random(k.scales, seed + 1, 0, 1),
               w = TestTensor::random({k.m, 8, k.k, k.k}, seed + 2),
               bias = TestTensor::random({k.m}, seed + 3),
               r = TestTensor::random(out, seed + 4);
    std::vector<TestTensor *> mulIn = {&x, &scales};
    if (k.scalesFirst)
      std::swap(mulIn[0], mulIn[1]);
    TestTensor product = runReference(mulOp, mulIn, {output(xDims)})[0];
    TestTensor want = runReference(
        convOpK, {&product, &w, &bias, k.residual ? &r : nullptr},
        {output(out)})[0];

    TestTensor xIn = withLayout(x, Layout::channelsLast),
               rIn = withLayout(r, Layout::channelsLast);
    std::vector<TestTensor *> mulInputs = {&xIn, &scales};
    if (k.scalesFirst)
      std::swap(mulInputs[0], mulInputs[1]);
    std::vector<TestTensor> between{withLayout(output(xDims), Layout::channelsLast)},
        result{withLayout(output(out), Layout::channelsLast)};
    std::vector<int64_t> exprs;
    KernelArgs mul = makeArgs(mulOp, mulInputs, between, exprs);
    KernelArgs conv = makeArgs(
        convOpK, {&between[0], &w, &bias, k.residual ? &rIn : nullptr},
        result, exprs);
    // Activations, as a session has them.
    xIn.ref.constant = scales.ref.constant = rIn.ref.constant = false;
    between[0].ref.constant = false;
    std::unique_ptr<Kernel> kernel = makeOneDNNScaledConv(mul, conv);
    ASSERT_TRUE(kernel);
    EXPECT_NE(kernel->implementation().find("input scaled per channel"),
              std::string::npos)
        << kernel->implementation();
    kernel->run(scaledConvArgs(mul, conv));
    expectClose("Mul + Conv", withLayout(result[0], Layout::plain).floats(),
                want.floats(), 1e-5f);

    if (k.scalesFirst || k.residual || k.k != 1)
      continue;
    // The scales at the output's first bytes (the plan may put them there:
    // they die at the Mul): the first image's output must not overwrite
    // the second image's scales before they are used.
    {
      std::vector<TestTensor> overScales{
          withLayout(output(out), Layout::channelsLast)};
      std::memcpy(overScales[0].ref.data, scales.ref.data, scales.ref.bytes());
      TestTensor scalesThere = scales;
      scalesThere.ref.data = overScales[0].ref.data;
      KernelArgs mulThere = mul, convThere = conv;
      mulThere.inputs[1] = &scalesThere.ref;
      convThere.outputs = {&overScales[0].ref};
      std::unique_ptr<Kernel> there = makeOneDNNScaledConv(mulThere, convThere);
      ASSERT_TRUE(there);
      there->run(scaledConvArgs(mulThere, convThere));
      expectClose("Mul + Conv over its scales",
                  withLayout(overScales[0], Layout::plain).floats(),
                  want.floats(), 1e-5f);
    }
    // Not a Mul.
    TestOp addOp([](Builder &b) {
      return format::CreateBinaryParams(b, format::BinaryKind::add);
    });
    KernelArgs other = mul;
    other.op = addOp.op();
    EXPECT_FALSE(makeOneDNNScaledConv(other, conv));
    // The conv reads something else.
    other = conv;
    other.inputs[0] = &xIn.ref;
    EXPECT_FALSE(makeOneDNNScaledConv(mul, other));
    // Scales that vary over the positions: a product of two tensors.
    other = mul;
    other.inputs[1] = &xIn.ref;
    EXPECT_FALSE(makeOneDNNScaledConv(other, conv));
    // The output over the tensor.
    std::vector<TestTensor> overInput{withLayout(output(out), Layout::channelsLast)};
    overInput[0].ref.data = xIn.ref.data;
    other = conv;
    other.outputs = {&overInput[0].ref};
    EXPECT_FALSE(makeOneDNNScaledConv(mul, other));
    // Another variant than the default direct algorithm.
    other = conv;
    other.variant = kConvNextImplementation;
    EXPECT_FALSE(makeOneDNNScaledConv(mul, other));
    // Weights more than a quarter of an image's values (64 x 8 > 8 x 144 /
    // 4): the Mul is the cheaper pass.
    ConvCase wide{xDims, 64, {1, 1}, {}, {}, {}};
    TestOp wideOp = convOp(wide);
    TestTensor wideW = TestTensor::random({64, 8, 1, 1}, seed + 5);
    std::vector<TestTensor> wideOut{
        withLayout(output(convOutDims(wide)), Layout::channelsLast)};
    KernelArgs wideConv =
        makeArgs(wideOp, {&between[0], &wideW, nullptr, nullptr}, wideOut, exprs);
    between[0].ref.constant = false;
    EXPECT_FALSE(makeOneDNNScaledConv(mul, wideConv));
  }
}

// A Conv with swish and the global average pool of its output (a
// squeeze-and-excitation block's squeeze), the pool summed by the swish's
// pass: both outputs against the reference kernels, on channels of whole
// vectors and not (AVX-512's loop and the portable one), several blocks of
// rows per image, one and two threads; refused for a max pool, another
// activation, a plain output.
TEST(OneDNNKernels, ConvSwishPool) {
  TestOp poolOp([](Builder &b) {
    return format::CreateGlobalPoolParams(b, format::PoolKind::average);
  });
  unsigned seed = 1900;
  for (int64_t channels : {48, 20})
    for (int threads : {1, 2}) {
      SCOPED_TRACE(std::to_string(channels) + " channels, " +
                   std::to_string(threads) + " threads");
      // Depthwise 3x3, as efficientnet's: 40 x 41 positions, several
      // blocks of rows per image.
      ConvCase c{{2, channels, 40, 41}, channels, {3, 3}, {}, {1, 1, 1, 1},
                 {}, channels, true, false, activation(ActivationKind::swish)};
      Dims out = convOutDims(c), pooled{2, channels, 1, 1};
      TestOp conv = convOp(c);
      TestTensor x = TestTensor::random(c.x, seed += 10, -3, 3),
                 w = TestTensor::random({channels, 1, 3, 3}, seed + 1),
                 bias = TestTensor::random({channels}, seed + 2);
      TestTensor y = runReference(conv, {&x, &w, &bias}, {output(out)})[0];
      TestTensor mean = runReference(poolOp, {&y}, {output(pooled)})[0];

      TestTensor xIn = withLayout(x, Layout::channelsLast);
      std::vector<TestTensor> yOut{withLayout(output(out), Layout::channelsLast)},
          meanOut{output(pooled)};
      std::vector<int64_t> exprs;
      KernelArgs convArgs = makeArgs(conv, {&xIn, &w, &bias}, yOut, exprs);
      KernelArgs poolArgs = makeArgs(poolOp, {&yOut[0]}, meanOut, exprs);
      xIn.ref.constant = yOut[0].ref.constant = false;
      convArgs.threads = poolArgs.threads = threads;
      std::unique_ptr<Kernel> kernel = makeOneDNNConvPool(convArgs, poolArgs);
      ASSERT_TRUE(kernel);
      EXPECT_NE(kernel->implementation().find("global average pool"),
                std::string::npos)
          << kernel->implementation();
      kernel->run(convPoolArgs(convArgs, poolArgs));
      expectClose("Conv + swish",
                  withLayout(yOut[0], Layout::plain).floats(), y.floats(),
                  1e-5f);
      expectClose("Conv + swish + GlobalPool", meanOut[0].floats(),
                  mean.floats(), 1e-5f);

      if (threads != 1 || channels != 48)
        continue;
      TestOp maxOp([](Builder &b) {
        return format::CreateGlobalPoolParams(b, format::PoolKind::max);
      });
      KernelArgs other = poolArgs;
      other.op = maxOp.op();
      EXPECT_FALSE(makeOneDNNConvPool(convArgs, other));
      ConvCase relu = c;
      relu.act = activation(ActivationKind::relu);
      TestOp reluConv = convOp(relu);
      other = convArgs;
      other.op = reluConv.op();
      EXPECT_FALSE(makeOneDNNConvPool(other, poolArgs));
      std::vector<TestTensor> plainOut{output(out)};
      other = convArgs;
      other.outputs = {&plainOut[0].ref};
      KernelArgs plainPool = poolArgs;
      plainPool.inputs = {&plainOut[0].ref};
      EXPECT_FALSE(makeOneDNNConvPool(other, plainPool));
    }
}

struct ResizeCase {
  format::ResizeMode mode;
  format::CoordinateTransform transform;
  format::NearestMode nearest;
  Dims x, y;
  std::vector<float> scales;
};

TestOp resizeOp(const ResizeCase &c) {
  return TestOp([&](Builder &b) {
    auto scales = c.scales.empty() ? 0 : vec(b, c.scales);
    return format::CreateResizeParams(b, c.mode, c.transform, c.nearest,
                                      -0.75f, false, 0.0f, scales);
  });
}

std::string describe(const ResizeCase &c) {
  return std::string(format::EnumNameResizeMode(c.mode)) + " " +
         format::EnumNameCoordinateTransform(c.transform) + " " +
         format::EnumNameNearestMode(c.nearest) + " " + shape(c.x) + " -> " +
         shape(c.y);
}

TEST(OneDNNKernels, Resize) {
  using CT = format::CoordinateTransform;
  using NM = format::NearestMode;
  using format::ResizeMode;
  std::vector<ResizeCase> cases = {
      {ResizeMode::nearest, CT::asymmetric, NM::floor, {1, 3, 4, 5},
       {1, 3, 8, 10}},
      {ResizeMode::nearest, CT::asymmetric, NM::floor, {2, 2, 3, 4},
       {2, 2, 9, 8}, {1, 1, 3, 2}},
      {ResizeMode::nearest, CT::asymmetric, NM::floor, {1, 2, 5},
       {1, 2, 20}},
      {ResizeMode::nearest, CT::half_pixel, NM::round_prefer_floor,
       {1, 3, 4, 5}, {1, 3, 8, 10}},
      {ResizeMode::nearest, CT::half_pixel, NM::round_prefer_ceil,
       {1, 3, 4, 5}, {1, 3, 12, 5}},
      {ResizeMode::nearest, CT::pytorch_half_pixel, NM::round_prefer_floor,
       {1, 2, 3, 3, 3}, {1, 2, 6, 6, 3}},
      {ResizeMode::linear, CT::half_pixel, NM::round_prefer_floor,
       {1, 3, 4, 5}, {1, 3, 8, 10}},
      {ResizeMode::linear, CT::half_pixel, NM::round_prefer_floor,
       {1, 3, 4, 5}, {1, 3, 8, 10}, {1, 1, 2, 2}},
      {ResizeMode::linear, CT::half_pixel, NM::round_prefer_floor,
       {2, 2, 7, 9}, {2, 2, 10, 4}},
      {ResizeMode::linear, CT::half_pixel, NM::round_prefer_floor,
       {1, 2, 8, 8}, {1, 2, 4, 4}, {1, 1, 0.5f, 0.5f}},
      {ResizeMode::linear, CT::pytorch_half_pixel, NM::round_prefer_floor,
       {1, 3, 5, 6}, {1, 3, 15, 7}},
      {ResizeMode::linear, CT::half_pixel, NM::round_prefer_floor,
       {1, 2, 6}, {1, 2, 13}},
      {ResizeMode::linear, CT::half_pixel, NM::round_prefer_floor,
       {1, 2, 3, 4, 5}, {1, 2, 6, 8, 7}},
  };
  unsigned seed = 1700;
  for (const ResizeCase &c : cases) {
    SCOPED_TRACE(describe(c));
    TestTensor x = TestTensor::random(c.x, seed += 10);
    expectMatch(resizeOp(c), {&x}, c.y);
  }
}

TEST(OneDNNKernels, ResizeUnsupported) {
  using CT = format::CoordinateTransform;
  using NM = format::NearestMode;
  using format::ResizeMode;
  std::vector<ResizeCase> cases = {
      // Nearest at a factor that is not an integer, or a downscale.
      {ResizeMode::nearest, CT::asymmetric, NM::floor, {1, 3, 4, 5},
       {1, 3, 6, 10}},
      {ResizeMode::nearest, CT::asymmetric, NM::floor, {1, 3, 8, 8},
       {1, 3, 4, 4}},
      // Rounding modes whose ties or offsets differ.
      {ResizeMode::nearest, CT::asymmetric, NM::round_prefer_floor,
       {1, 3, 4, 5}, {1, 3, 12, 15}},
      {ResizeMode::nearest, CT::half_pixel, NM::floor, {1, 3, 4, 5},
       {1, 3, 8, 10}},
      {ResizeMode::nearest, CT::align_corners, NM::round_prefer_floor,
       {1, 3, 4, 5}, {1, 3, 8, 10}},
      // Linear with other coordinates.
      {ResizeMode::linear, CT::align_corners, NM::floor, {1, 3, 4, 5},
       {1, 3, 8, 10}},
      {ResizeMode::linear, CT::asymmetric, NM::floor, {1, 3, 4, 5},
       {1, 3, 8, 10}},
      {ResizeMode::linear, CT::pytorch_half_pixel, NM::floor, {1, 3, 4, 5},
       {1, 3, 1, 10}},
      // Scales that are not the sizes' ratio.
      {ResizeMode::linear, CT::half_pixel, NM::floor, {1, 3, 4, 5},
       {1, 3, 8, 10}, {1, 1, 2.1f, 2}},
      // Scaling channels; cubic.
      {ResizeMode::nearest, CT::asymmetric, NM::floor, {1, 3, 4, 5},
       {1, 6, 4, 5}},
      {ResizeMode::cubic, CT::half_pixel, NM::floor, {1, 3, 4, 5},
       {1, 3, 8, 10}},
  };
  for (const ResizeCase &c : cases) {
    TestTensor x = TestTensor::random(c.x, 1);
    EXPECT_FALSE(supported(resizeOp(c), {&x}, c.y)) << describe(c);
  }
}

/// Random windowed ops, consistent or not: whenever oneDNN makes a kernel,
/// the reference kernel accepts the op too and agrees with it.
TEST(OneDNNKernels, RandomWindowsAgreeWhenAccepted) {
  std::mt19937 rng(2024);
  auto pick = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  int accepted = 0, tried = 0;
  for (int iter = 0; iter < 300; ++iter) {
    bool isPool = iter % 2;
    size_t spatial = pick(1, 2);
    Dims x{pick(1, 2), pick(1, 4) * (isPool ? 1 : 2)};
    Dims kernel, strides, dil, pads(2 * spatial);
    for (size_t i = 0; i < spatial; ++i) {
      x.push_back(pick(1, 9));
      kernel.push_back(pick(1, 4));
      strides.push_back(pick(1, 3));
      dil.push_back(pick(1, 2));
      pads[i] = pick(-1, 3);
      pads[spatial + i] = pick(-1, 3);
    }
    bool ceil = pick(0, 1), includePad = pick(0, 1);
    format::PoolKind kind =
        pick(0, 1) ? format::PoolKind::max : format::PoolKind::average;
    int64_t group = pick(0, 1) ? 2 : 1;
    Dims out{x[0], isPool ? x[1] : 2 * pick(1, 2)};
    for (size_t i = 0; i < spatial; ++i) {
      int64_t span = (kernel[i] - 1) * dil[i] + 1;
      int64_t room = x[2 + i] + pads[i] + pads[spatial + i] - span;
      int64_t o = (isPool && ceil ? (room + strides[i] - 1) / strides[i]
                                  : room / strides[i]) +
                  1;
      if (isPool && ceil && (o - 1) * strides[i] >= x[2 + i] + pads[i])
        --o;
      out.push_back(std::max<int64_t>(1, o + (pick(0, 5) == 0 ? 1 : 0)));
    }
    std::ostringstream what;
    what << (isPool ? "pool" : "conv") << " x " << shape(x) << " k "
         << shape(kernel) << " s " << shape(strides) << " d " << shape(dil)
         << " p " << shape(pads) << " y " << shape(out) << " ceil " << ceil
         << " include " << includePad << " group " << group;
    SCOPED_TRACE(what.str());
    TestTensor xt = TestTensor::random(x, iter);
    Dims wDims{out[1], x[1] / group};
    wDims.insert(wDims.end(), kernel.begin(), kernel.end());
    TestTensor w = TestTensor::random(wDims, iter + 1);
    std::unique_ptr<TestOp> op;
    std::vector<TestTensor *> inputs;
    if (isPool) {
      op = std::make_unique<TestOp>([&](Builder &b) {
        return format::CreatePoolParams(b, kind, vec(b, kernel),
                                        vec(b, strides), vec(b, pads),
                                        vec(b, dil), ceil, includePad);
      });
      inputs = {&xt};
    } else {
      op = std::make_unique<TestOp>([&](Builder &b) {
        return format::CreateConvParams(b, vec(b, strides), vec(b, pads),
                                        vec(b, dil), group);
      });
      inputs = {&xt, &w};
    }
    ++tried;
    if (!supported(*op, inputs, out))
      continue;
    ++accepted;
    expectMatch(*op, inputs, out);
  }
  EXPECT_GT(accepted, tried / 5);
}

TEST(OneDNNKernels, Transpose) {
  struct Case {
    Dims x;
    std::vector<int32_t> perm;
  };
  std::vector<Case> cases = {
      {{2, 3}, {1, 0}},          {{2, 3}, {}},
      {{2, 8, 5, 6}, {0, 2, 3, 1}}, {{2, 5, 6, 8}, {0, 3, 1, 2}},
      {{3, 4, 5}, {2, 0, 1}},    {{1, 7, 1, 9}, {3, 1, 2, 0}},
  };
  unsigned seed = 1600;
  for (const Case &c : cases) {
    SCOPED_TRACE(shape(c.x));
    TestOp op([&](Builder &b) {
      return format::CreateTransposeParams(
          b, c.perm.empty() ? 0 : vec<int32_t>(b, c.perm));
    });
    Dims out;
    for (size_t i = 0; i < c.x.size(); ++i)
      out.push_back(c.x[c.perm.empty() ? c.x.size() - 1 - i : c.perm[i]]);
    TestTensor x = TestTensor::random(c.x, seed += 10);
    expectMatch(op, {&x}, out, 0);
  }
  // A channels-last input (a convolution's output) is read through its own
  // strides: ConvNeXt's permute to [N, H, W, C] rows.
  for (std::vector<int32_t> perm :
       {std::vector<int32_t>{0, 2, 3, 1}, std::vector<int32_t>{0, 3, 1, 2}}) {
    TestOp op([&](Builder &b) {
      return format::CreateTransposeParams(b, vec<int32_t>(b, perm));
    });
    TestTensor x = TestTensor::random({2, 8, 5, 6}, seed += 10);
    Dims out;
    for (int32_t d : perm)
      out.push_back(x.ref.dims[d]);
    std::vector<TestTensor> want = runReference(op, {&x}, {output(out)});
    TestTensor last = withLayout(x, Layout::channelsLast);
    std::vector<TestTensor> outputs{output(out)};
    std::vector<int64_t> exprs;
    KernelArgs args = makeArgs(op, {&last}, outputs, exprs);
    std::unique_ptr<Kernel> kernel = makeOneDNNKernel(args);
    ASSERT_TRUE(kernel);
    kernel->run(args);
    EXPECT_EQ(outputs[0].floats(), want[0].floats());
  }
  TestOp op([](Builder &b) {
    return format::CreateTransposeParams(b, vec<int32_t>(b, {0, 0}));
  });
  TestTensor x = TestTensor::random({2, 3}, 1);
  EXPECT_FALSE(supported(op, {&x}, {2, 2}));
}

// A Gather of channels by constant indices (a channel shuffle and its
// slices, as the compiler writes them), in both layouts; interleaved runs
// (shuffle order) and any other order, negative indices.
TEST(OneDNNKernels, GatherChannels) {
  struct Case {
    Dims x;
    std::vector<int64_t> channels;
  };
  std::vector<Case> cases = {
      {{1, 8, 3, 5}, {0, 4, 1, 5, 2, 6, 3, 7}}, // a shuffle of 2 groups
      {{2, 8, 4, 4}, {2, 6, 3, 7}},             // its second half
      {{1, 6, 5, 3}, {5, 0, 0, -1, 3}},         // any order, repeats
      {{1, 48, 7, 7}, {0, 24, 1, 25, 2, 26, 3, 27, 4, 28, 5, 29}},
      {{2, 4, 3}, {3, 1}},                      // rank 3
  };
  TestOp op([](Builder &b) { return format::CreateGatherParams(b, 1); });
  unsigned seed = 1650;
  for (const Case &c : cases) {
    SCOPED_TRACE(shape(c.x));
    TestTensor x = TestTensor::random(c.x, seed += 10);
    TestTensor indices =
        TestTensor::i64({int64_t(c.channels.size())}, c.channels);
    Dims out = c.x;
    out[1] = c.channels.size();
    expectMatch(op, {&x, &indices}, out, 0);
    EXPECT_EQ(implementationOf(op, {&x, &indices}, out), "mlc:gather_channels");
    if (c.x.size() != 4)
      continue;
    // Channels-last, as between convolutions.
    std::vector<TestTensor> want = runReference(op, {&x, &indices}, {output(out)});
    TestTensor last = withLayout(x, Layout::channelsLast);
    std::vector<TestTensor> outputs{withLayout(output(out), Layout::channelsLast)};
    std::vector<int64_t> exprs;
    KernelArgs args = makeArgs(op, {&last, &indices}, outputs, exprs);
    std::unique_ptr<Kernel> kernel = makeOneDNNKernel(args);
    ASSERT_TRUE(kernel);
    kernel->run(args);
    EXPECT_EQ(withLayout(outputs[0], Layout::plain).floats(), want[0].floats());
  }
  // Indices that are not constant, out of range, or on another axis: the
  // reference kernel's.
  TestTensor x = TestTensor::random({1, 4, 2, 2}, 1);
  TestTensor indices = TestTensor::i64({2}, {1, 0});
  EXPECT_TRUE(supported(op, {&x, &indices}, {1, 2, 2, 2}));
  std::vector<TestTensor> outputs{output({1, 2, 2, 2})};
  std::vector<int64_t> exprs;
  KernelArgs computed = makeArgs(op, {&x, &indices}, outputs, exprs);
  computed.inputs[1]->constant = false;
  EXPECT_FALSE(makeOneDNNKernel(computed));
  TestTensor outside = TestTensor::i64({2}, {1, 4});
  EXPECT_FALSE(supported(op, {&x, &outside}, {1, 2, 2, 2}));
  TestOp spatial([](Builder &b) { return format::CreateGatherParams(b, 2); });
  EXPECT_FALSE(supported(spatial, {&x, &indices}, {1, 4, 2, 2}));
}

TEST(OneDNNKernels, Reduce) {
  using format::ReduceKind;
  struct Case {
    Dims x;
    std::vector<int32_t> axes;
  };
  std::vector<Case> cases = {
      {{1, 5, 6, 16}, {3}}, {{2, 3, 4, 5}, {1, 2}}, {{2, 3, 4, 5}, {0}},
      {{7, 9}, {0, 1}},
  };
  unsigned seed = 1700;
  for (ReduceKind kind : {ReduceKind::mean, ReduceKind::sum})
    for (const Case &c : cases)
      for (bool keepdims : {true, false}) {
        SCOPED_TRACE(shape(c.x) + (keepdims ? " keepdims" : ""));
        TestOp op([&](Builder &b) {
          return format::CreateReduceParams(b, kind, vec<int32_t>(b, c.axes),
                                            keepdims);
        });
        Dims out;
        for (size_t i = 0; i < c.x.size(); ++i) {
          bool reduced = std::count(c.axes.begin(), c.axes.end(), int32_t(i));
          if (!reduced || keepdims)
            out.push_back(reduced ? 1 : c.x[i]);
        }
        TestTensor x = TestTensor::random(c.x, seed += 10);
        expectMatch(op, {&x}, out);
      }
  // Max, min and prod are the reference kernel's (NaN as ONNX has it).
  TestOp max([](Builder &b) {
    return format::CreateReduceParams(b, ReduceKind::max,
                                      vec<int32_t>(b, {1}), true);
  });
  TestTensor x = TestTensor::random({2, 3}, 1);
  EXPECT_FALSE(supported(max, {&x}, {2, 1}));
}

} // namespace
