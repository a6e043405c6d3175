//===- CompareTest.cpp - compareModels, compareValues, synthetic inputs ---===//
//
// The numbers first (SNR, error, cosine, top-1, NaN on hand-made values),
// then whole models from the MLCRuntimeModels fixture (see
// test/Runtime/RuntimeModels.h): a model against itself, the Fast against
// the Reference kernels, every shape of merged and ranged models, given
// samples, and models that do not match.
//
//===----------------------------------------------------------------------===//

#include "RuntimeModels.h"

#include "mlc/Quantization/Compare.h"
#include "mlc/Runtime/Model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlc;
using namespace mlc::quant;
using mlc::rt::Error;
using mlc::rt::Model;
using mlc::rt::TensorMap;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
const float kNaN = std::numeric_limits<float>::quiet_NaN();

//===----------------------------------------------------------------------===//
// compareValues
//===----------------------------------------------------------------------===//

TEST(CompareValues, SnrErrorAndCosine) {
  std::vector<float> ref = {1, -1, 1, -1}, test = {1.1f, -0.9f, 0.9f, -1.1f};
  OutputComparison c = compareValues(ref.data(), test.data(), ref.size());
  // 10 log10(4 / (4 * 0.01)) = 20 dB.
  EXPECT_NEAR(c.snrDb, 20.0, 1e-4);
  EXPECT_NEAR(c.maxAbsError, 0.1, 1e-6);
  EXPECT_NEAR(c.maxAbsReference, 1.0, 1e-12);
  // (1.1 + 0.9 + 0.9 + 1.1) / (2 * sqrt(4 * (1.21 + 0.81) / 2)).
  EXPECT_NEAR(c.cosine, 4.0 / (2.0 * std::sqrt(4.04)), 1e-6);
  EXPECT_FALSE(c.isClassifier());
  EXPECT_EQ(c.elements, 4u);
}

TEST(CompareValues, IdenticalIsInfinite) {
  std::vector<float> ref = {0.5f, -2, 3};
  OutputComparison c = compareValues(ref.data(), ref.data(), ref.size());
  EXPECT_EQ(c.snrDb, kInf);
  EXPECT_EQ(c.maxAbsError, 0);
  EXPECT_DOUBLE_EQ(c.cosine, 1);
  std::vector<float> zeros(3, 0.0f);
  c = compareValues(zeros.data(), zeros.data(), zeros.size());
  EXPECT_EQ(c.snrDb, kInf);
  EXPECT_EQ(c.cosine, 1);
  EXPECT_EQ(formatSnr(c.snrDb), "inf");
}

TEST(CompareValues, NaN) {
  // A NaN in the test only: -inf, counted.
  std::vector<float> ref = {1, 2, 3}, test = {1, kNaN, 3};
  OutputComparison c = compareValues(ref.data(), test.data(), ref.size());
  EXPECT_EQ(c.snrDb, -kInf);
  EXPECT_EQ(c.nanTest, 1u);
  EXPECT_EQ(c.nanReference, 0u);
  EXPECT_EQ(c.maxAbsError, kInf);
  EXPECT_TRUE(std::isnan(c.cosine));
  EXPECT_EQ(formatSnr(c.snrDb), "-inf");
  // NaN at the same place in both: they agree there.
  std::vector<float> both = {1, kNaN, 3};
  c = compareValues(both.data(), both.data(), both.size());
  EXPECT_EQ(c.snrDb, kInf);
  EXPECT_EQ(c.nanReference, 1u);
  EXPECT_EQ(c.nanTest, 1u);
  // An infinity in one only.
  std::vector<float> inf = {1, INFINITY, 3};
  c = compareValues(ref.data(), inf.data(), ref.size());
  EXPECT_EQ(c.snrDb, -kInf);
}

TEST(CompareValues, TopOne) {
  // Three rows of four classes; the second picks another class.
  std::vector<float> ref = {0, 1, 0, 0, /**/ 5, 4, 0, 0, /**/ 0, 0, 0, 9};
  std::vector<float> test = {0, 2, 1, 0, /**/ 4, 5, 0, 0, /**/ 1, 0, 0, 8};
  OutputComparison c = compareValues(ref.data(), test.data(), ref.size(), 4);
  ASSERT_TRUE(c.isClassifier());
  EXPECT_EQ(c.top1Agree, 2);
  EXPECT_EQ(c.top1Count, 3);
  EXPECT_NEAR(c.top1Rate(), 2.0 / 3.0, 1e-12);
}

//===----------------------------------------------------------------------===//
// Whole models
//===----------------------------------------------------------------------===//

template <typename Fn> std::string errorOf(Fn fn) {
  try {
    fn();
  } catch (const Error &e) {
    return e.what();
  }
  ADD_FAILURE() << "no rt::Error thrown";
  return "";
}

TEST(CompareModels, ModelWithItself) {
  LOAD_OR_RETURN(resnet, "resnet.mlc");
  ModelComparison result = compareModels(resnet, resnet);
  ASSERT_EQ(result.shapes, std::vector<std::string>{"1x3x64x64"});
  EXPECT_EQ(result.samples, 4u);
  ASSERT_EQ(result.outputs.size(), 1u);
  const OutputComparison &logits = result.outputs[0];
  EXPECT_EQ(logits.output, "logits");
  EXPECT_EQ(logits.shape, "1x3x64x64");
  EXPECT_EQ(logits.snrDb, kInf);
  EXPECT_EQ(logits.maxAbsError, 0);
  EXPECT_GT(logits.maxAbsReference, 0);
  EXPECT_DOUBLE_EQ(logits.cosine, 1);
  // [1, 10] logits: a classifier, one row per sample.
  EXPECT_EQ(logits.top1Agree, 4);
  EXPECT_EQ(logits.top1Count, 4);
  EXPECT_EQ(result.worstSnrDb, kInf);

  std::string table = formatComparison(result);
  EXPECT_NE(table.find("logits"), std::string::npos) << table;
  EXPECT_NE(table.find("4/4 (100.0%)"), std::string::npos) << table;
  EXPECT_NE(table.find("worst SNR: inf dB (logits at 1x3x64x64)"),
            std::string::npos)
      << table;
}

TEST(CompareModels, FastAgainstReferenceKernels) {
  for (const char *file : {"resnet.mlc", "fcn.mlc"}) {
    LOAD_OR_RETURN(model, file);
    CompareOptions options;
    options.backend = rt::Backend::Reference;
    options.testBackend = rt::Backend::Fast;
    options.samples = 2;
    ModelComparison result = compareModels(model, model, options);
    ASSERT_FALSE(result.outputs.empty());
    for (const OutputComparison &c : result.outputs) {
      EXPECT_GT(c.snrDb, 100.0) << file << " " << c.output << " at " << c.shape;
      EXPECT_GT(c.cosine, 0.999999);
      EXPECT_LE(c.maxAbsError, 1e-4 * c.maxAbsReference);
      if (c.isClassifier()) {
        EXPECT_EQ(c.top1Agree, c.top1Count);
      }
    }
  }
}

TEST(CompareModels, EveryShapeOfMergedModels) {
  LOAD_OR_RETURN(fcn, "fcn.mlc");
  ModelComparison result = compareModels(*fcn, *fcn, {});
  EXPECT_EQ(result.shapes,
            (std::vector<std::string>{"1x3x64x64", "1x3x96x96"}));
  ASSERT_EQ(result.outputs.size(), 2u);
  EXPECT_EQ(result.outputs[1].shape, "1x3x96x96");
  // A segmentation map: not a classifier's output.
  EXPECT_FALSE(result.outputs[0].isClassifier());

  // A range: its smallest, largest and one size in between.
  LOAD_OR_RETURN(ranged, "fcn_ranged.mlc");
  CompareOptions options;
  options.samples = 1;
  result = compareModels(ranged, ranged, options);
  EXPECT_EQ(result.shapes,
            (std::vector<std::string>{"1x3x64x64", "1x3x80x80", "1x3x96x96"}));
  EXPECT_EQ(result.outputs.size(), 3u);
  EXPECT_EQ(result.worstSnrDb, kInf);
  // The enumerated model does not take the size in between.
  std::string error = errorOf([&] { compareModels(ranged, fcn, options); });
  EXPECT_NE(error.find("fcn.mlc at 1x3x80x80: input 'image' has shape "
                       "1x3x80x80"),
            std::string::npos)
      << error;
}

TEST(CompareModels, GivenSamples) {
  LOAD_OR_RETURN(fcn, "fcn.mlc");
  CompareOptions options;
  for (auto [shape, seed] : {std::pair<int64_t, uint32_t>{96, 1}, {64, 2},
                             {96, 3}}) {
    TensorMap sample;
    sample.emplace("image", mlc::test::patternTensor({1, 3, shape, shape}, seed));
    options.inputs.push_back(std::move(sample));
  }
  ModelComparison result = compareModels(fcn, fcn, options);
  // Grouped by shape, in order of first appearance.
  EXPECT_EQ(result.shapes,
            (std::vector<std::string>{"1x3x96x96", "1x3x64x64"}));
  EXPECT_EQ(result.samples, 3u);
  ASSERT_EQ(result.outputs.size(), 2u);
  // Two samples at 96x96, one at 64x64.
  EXPECT_EQ(result.outputs[0].elements % 2, 0u);
  EXPECT_GT(result.outputs[0].elements / 2, result.outputs[1].elements);
}

TEST(CompareModels, GivenShapes) {
  LOAD_OR_RETURN(ranged, "fcn_ranged.mlc");
  CompareOptions options;
  options.samples = 2;
  options.shapes = {{{1, 3, 96, 64}}, {{1, 3, 64, 80}}};
  ModelComparison result = compareModels(ranged, ranged, options);
  EXPECT_EQ(result.shapes,
            (std::vector<std::string>{"1x3x96x64", "1x3x64x80"}));
  EXPECT_EQ(result.samples, 2u);
  // A shape the model does not take is the session's error.
  options.shapes = {{{1, 3, 72, 64}}};
  std::string error = errorOf([&] { compareModels(ranged, ranged, options); });
  EXPECT_NE(error.find("input 'image' has shape 1x3x72x64"), std::string::npos)
      << error;
}

TEST(CompareModels, DifferentModelsAreAnError) {
  LOAD_OR_RETURN(resnet, "resnet.mlc");
  LOAD_OR_RETURN(fcn, "fcn.mlc");
  std::string error = errorOf([&] { compareModels(resnet, fcn); });
  EXPECT_NE(error.find("no output named 'logits'"), std::string::npos)
      << error;
  error = errorOf([&] { compareModels(fcn, resnet); });
  EXPECT_NE(error.find("no output named 'out'"), std::string::npos) << error;
}

TEST(SyntheticInputs, Deterministic) {
  LOAD_OR_RETURN(resnet, "resnet.mlc");
  auto shapes = comparisonShapes(*resnet);
  ASSERT_EQ(shapes.size(), 1u);
  TensorMap a = syntheticInputs(*resnet, shapes[0], 1);
  TensorMap b = syntheticInputs(*resnet, shapes[0], 1);
  TensorMap c = syntheticInputs(*resnet, shapes[0], 2);
  TensorMap d = syntheticInputs(*resnet, shapes[0], 1, /*seed=*/7);
  const rt::Tensor &x = a.at("image");
  ASSERT_EQ(x.shape(), (std::vector<int64_t>{1, 3, 64, 64}));
  size_t n = size_t(x.elementCount());
  EXPECT_EQ(std::memcmp(x.data(), b.at("image").data(), x.byteSize()), 0);
  EXPECT_NE(std::memcmp(x.data(), c.at("image").data(), x.byteSize()), 0);
  EXPECT_NE(std::memcmp(x.data(), d.at("image").data(), x.byteSize()), 0);
  // Standard normal values.
  double sum = 0, sum2 = 0;
  for (size_t i = 0; i < n; ++i) {
    sum += x.data<float>()[i];
    sum2 += double(x.data<float>()[i]) * x.data<float>()[i];
  }
  EXPECT_NEAR(sum / n, 0.0, 0.05);
  EXPECT_NEAR(sum2 / n, 1.0, 0.05);
  // Sample 0: the pattern of `mlc run`.
  TensorMap pattern = syntheticInputs(*resnet, shapes[0], 0);
  const rt::Tensor &p = pattern.at("image");
  for (size_t i : {size_t(0), size_t(1), size_t(5000), n - 1})
    EXPECT_FLOAT_EQ(p.data<float>()[i], float(std::sin(0.001 * double(i))));
}

} // namespace
