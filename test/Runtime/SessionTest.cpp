//===- SessionTest.cpp - Model, Session and Npy on compiled models --------===//
//
// Loads the small .mlc models the MLCRuntimeModels fixture compiles (see
// RuntimeModels.h) and runs predictions: shapes, backends against each
// other, batches, the errors a caller gets for wrong inputs, NaN and Inf,
// lazy planning, ranged shape sets; plus the .npy round trip and truncated
// buffers.
//
//===----------------------------------------------------------------------===//

#include "RuntimeModels.h"

#include "mlc/Format/Format.h"
#include "mlc/Runtime/Model.h"
#include "mlc/Runtime/Npy.h"
#include "mlc/Runtime/Session.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <unistd.h>

using namespace mlc;
using namespace mlc::rt;
using mlc::test::patternTensor;

namespace {

TensorMap imageInput(const std::vector<int64_t> &shape, uint32_t seed = 1) {
  TensorMap inputs;
  inputs.emplace("image", patternTensor(shape, seed));
  return inputs;
}

// `items` pattern images of `shape`, seeds from `seed` on.
std::vector<TensorMap> imageBatch(const std::vector<int64_t> &shape,
                                  int64_t items, uint32_t seed) {
  std::vector<TensorMap> batch;
  for (int64_t i = 0; i < items; ++i)
    batch.push_back(imageInput(shape, seed + i));
  return batch;
}

// The message of the rt::Error `fn` throws; fails when it throws none.
template <typename Fn> std::string errorOf(Fn fn) {
  try {
    fn();
  } catch (const Error &e) {
    return e.what();
  } catch (const std::exception &e) {
    ADD_FAILURE() << "threw a std::exception that is not rt::Error: "
                  << e.what();
    return "";
  }
  ADD_FAILURE() << "threw no rt::Error";
  return "";
}

// Whether two f32 tensors agree within `tolerance` times the largest
// magnitude in `expected`; the report names the worst element.
::testing::AssertionResult closeTensors(const Tensor &expected,
                                        const Tensor &actual,
                                        double tolerance) {
  if (expected.type() != ElementType::f32 ||
      actual.type() != ElementType::f32)
    return ::testing::AssertionFailure() << "not f32 tensors";
  if (expected.shape() != actual.shape())
    return ::testing::AssertionFailure()
           << "shapes " << formatShape(expected.shape()) << " and "
           << formatShape(actual.shape());
  const float *a = expected.data<float>(), *b = actual.data<float>();
  double scale = 0;
  for (int64_t i = 0; i < expected.elementCount(); ++i)
    scale = std::max(scale, double(std::fabs(a[i])));
  double worst = 0;
  int64_t worstAt = -1;
  for (int64_t i = 0; i < expected.elementCount(); ++i) {
    double diff = std::fabs(double(a[i]) - double(b[i]));
    if (std::isnan(a[i]) != std::isnan(b[i]))
      diff = INFINITY;
    if (diff > worst || (worstAt < 0 && diff > 0))
      worst = diff, worstAt = i;
  }
  if (worst > tolerance * std::max(scale, 1e-30))
    return ::testing::AssertionFailure()
           << "element " << worstAt << ": " << a[worstAt] << " vs "
           << b[worstAt] << " (difference " << worst << ", max magnitude "
           << scale << ")";
  return ::testing::AssertionSuccess();
}

// Each item's results of a batch are `single`'s prediction of that item.
void expectItemsPredicted(Session &single, const std::vector<TensorMap> &batch,
                          const std::vector<TensorMap> &results) {
  for (size_t i = 0; i < batch.size(); ++i)
    for (const auto &[name, tensor] : single.predict(batch[i]))
      EXPECT_TRUE(closeTensors(tensor, results[i].at(name), 1e-5))
          << name << " of item " << i << " of " << batch.size();
}

bool bytesEqual(const Tensor &a, const Tensor &b) {
  return a.type() == b.type() && a.shape() == b.shape() &&
         std::memcmp(a.data(), b.data(), a.byteSize()) == 0;
}

size_t countNonFinite(const Tensor &t) {
  size_t n = 0;
  for (int64_t i = 0; i < t.elementCount(); ++i)
    n += !std::isfinite(t.data<float>()[i]);
  return n;
}

const std::vector<int64_t> kShape64 = {1, 3, 64, 64};
const std::vector<int64_t> kShape96 = {1, 3, 96, 96};

//===----------------------------------------------------------------------===//
// Model
//===----------------------------------------------------------------------===//

TEST(Model, MergedModelListsInputsAndShapeSets) {
  LOAD_OR_RETURN(model, "fcn.mlc");
  ASSERT_EQ(model->inputs().size(), 1u);
  const TensorInfo &input = model->inputs()[0];
  EXPECT_EQ(input.name, "image");
  EXPECT_EQ(input.type, ElementType::f32);
  EXPECT_EQ(input.shape, (std::vector<int64_t>{-1, 3, -1, -1}));
  EXPECT_FALSE(input.shapes.ranged);
  EXPECT_EQ(input.shapes.shapes,
            (std::vector<std::vector<int64_t>>{kShape64, kShape96}));
  EXPECT_EQ(input.shapes.describe(), "1x3x64x64, 1x3x96x96");
  EXPECT_TRUE(input.shapes.contains(kShape64));
  EXPECT_TRUE(input.shapes.contains(kShape96));
  EXPECT_FALSE(input.shapes.contains({1, 3, 80, 80}));
  ASSERT_EQ(model->outputs().size(), 1u);
  EXPECT_EQ(model->outputs()[0].type, ElementType::f32);
  EXPECT_EQ(model->outputs()[0].shape.size(), 4u);
  EXPECT_TRUE(model->batchable());
  EXPECT_NE(model->producer().find("mlc"), std::string::npos);
}

TEST(Model, ShapeSetDescribesDimsOfAnySize) {
  // A `?` of the model's type without a shape set: min 1, max unbounded.
  ShapeSet set;
  set.ranged = true;
  set.ranges = {{1, mlc::format::kUnboundedDim, 1},
                {3, 3, 1},
                {224, 448, 32},
                {1, mlc::format::kUnboundedDim, 1}};
  EXPECT_EQ(set.describe(), "?x3x[224..448 step 32]x?");
  EXPECT_TRUE(set.contains({5, 3, 256, 1000}));
  EXPECT_FALSE(set.contains({5, 3, 250, 1000}));
}

TEST(Model, SingleShapeModel) {
  LOAD_OR_RETURN(model, "resnet.mlc");
  ASSERT_EQ(model->inputs().size(), 1u);
  EXPECT_EQ(model->inputs()[0].shapes.shapes,
            (std::vector<std::vector<int64_t>>{kShape64}));
  ASSERT_EQ(model->outputs().size(), 1u);
  EXPECT_EQ(model->outputs()[0].name, "logits");
  EXPECT_EQ(model->outputs()[0].shape, (std::vector<int64_t>{-1, 10}));
  EXPECT_TRUE(model->batchable());
}

TEST(Model, LoadMissingFileNamesIt) {
  std::string message =
      errorOf([] { Model::load("/nonexistent/dir/model.mlc"); });
  EXPECT_NE(message.find("/nonexistent/dir/model.mlc"), std::string::npos)
      << message;
}

TEST(Model, FromBytesOfTruncatedBuffer) {
  std::vector<uint8_t> bytes =
      mlc::test::readFileBytes(mlc::test::runtimeModelPath("resnet.mlc"));
  ASSERT_GT(bytes.size(), 4096u) << "resnet.mlc missing";
  // The whole buffer loads.
  EXPECT_NO_THROW(Model::fromBytes(bytes.data(), bytes.size(), "whole"));
  // Cut inside the graph, at its end, inside the weights, one byte short.
  for (size_t length : {size_t(12), size_t(16), size_t(100), size_t(1000),
                        size_t(4000), bytes.size() / 2, bytes.size() - 64,
                        bytes.size() - 1}) {
    SCOPED_TRACE("length " + std::to_string(length));
    std::string message = errorOf(
        [&] { Model::fromBytes(bytes.data(), length, "cut.mlc"); });
    EXPECT_TRUE(message.find("truncated") != std::string::npos ||
                message.find("corrupt") != std::string::npos)
        << message;
    EXPECT_EQ(message.rfind("cut.mlc", 0), 0u) << message;
  }
  // Shorter than the header: an error too.
  for (size_t length : {size_t(0), size_t(1), size_t(4), size_t(11)})
    EXPECT_THROW(Model::fromBytes(bytes.data(), length, "tiny"), Error)
        << "length " << length;
}

TEST(Model, ReadsEarlierFormatVersionsAndRefusesLaterOnes) {
  std::vector<uint8_t> bytes =
      mlc::test::readFileBytes(mlc::test::runtimeModelPath("resnet.mlc"));
  ASSERT_GT(bytes.size(), 4096u) << "resnet.mlc missing";
  const format::Model *graph = format::GetSizePrefixedModel(bytes.data());
  std::unique_ptr<format::ModelT> model(graph->UnPack());
  std::vector<uint8_t> weights(bytes.begin() + graph->weights_offset(),
                               bytes.begin() + graph->weights_offset() +
                                   graph->weights_length());
  for (uint32_t version = 0; version <= format::kFormatVersion + 1; ++version) {
    SCOPED_TRACE("version " + std::to_string(version));
    model->format_version = version;
    std::vector<uint8_t> file = mlc::test::packModel(*model, weights);
    if (version >= format::kOldestFormatVersion &&
        version <= format::kFormatVersion) {
      EXPECT_NO_THROW(Model::fromBytes(file.data(), file.size(), "v.mlc"));
      continue;
    }
    std::string message =
        errorOf([&] { Model::fromBytes(file.data(), file.size(), "v.mlc"); });
    EXPECT_NE(message.find("format version " + std::to_string(version)),
              std::string::npos)
        << message;
  }
}

//===----------------------------------------------------------------------===//
// Predictions
//===----------------------------------------------------------------------===//

TEST(Session, PredictAtEachEnumeratedSize) {
  LOAD_OR_RETURN(model, "fcn.mlc");
  Session session(model, {1, Backend::Fast});
  for (const auto &shape : model->inputs()[0].shapes.shapes) {
    SCOPED_TRACE(formatShape(shape));
    TensorMap outputs = session.predict(imageInput(shape));
    ASSERT_EQ(outputs.size(), 1u);
    ASSERT_EQ(outputs.count("out"), 1u);
    // tiny_fcn: 5 classes per pixel, at the input's size.
    EXPECT_EQ(outputs["out"].shape(),
              (std::vector<int64_t>{1, 5, shape[2], shape[3]}));
    EXPECT_EQ(countNonFinite(outputs["out"]), 0u);
  }
  LOAD_OR_RETURN(resnet, "resnet.mlc");
  Session resnetSession(resnet, {1, Backend::Fast});
  TensorMap outputs = resnetSession.predict(imageInput(kShape64));
  ASSERT_EQ(outputs.count("logits"), 1u);
  EXPECT_EQ(outputs["logits"].shape(), (std::vector<int64_t>{1, 10}));
}

TEST(Session, ReferenceAndFastBackendsAgree) {
  for (const char *file : {"resnet.mlc", "fcn.mlc", "fcn_ranged.mlc"}) {
    SCOPED_TRACE(file);
    LOAD_OR_RETURN(model, file);
    Session fast(model, {2, Backend::Fast});
    Session reference(model, {1, Backend::Reference});
    std::vector<std::vector<int64_t>> shapes = model->inputs()[0].shapes.shapes;
    if (model->inputs()[0].shapes.ranged)
      shapes = {kShape64, {1, 3, 80, 96}, kShape96};
    uint32_t seed = 7;
    for (const auto &shape : shapes) {
      SCOPED_TRACE(formatShape(shape));
      TensorMap inputs = imageInput(shape, seed++);
      TensorMap expected = reference.predict(inputs);
      TensorMap actual = fast.predict(inputs);
      ASSERT_EQ(expected.size(), actual.size());
      for (const auto &[name, tensor] : expected) {
        SCOPED_TRACE(name);
        ASSERT_EQ(actual.count(name), 1u);
        EXPECT_TRUE(closeTensors(tensor, actual.at(name), 1e-4));
      }
    }
  }
}

TEST(Session, RangedAndEnumeratedMergesAgree) {
  // The same network and weights, merged two ways.
  LOAD_OR_RETURN(enumerated, "fcn.mlc");
  LOAD_OR_RETURN(ranged, "fcn_ranged.mlc");
  Session a(enumerated, {1, Backend::Reference});
  Session b(ranged, {1, Backend::Reference});
  for (const auto &shape : {kShape64, kShape96}) {
    SCOPED_TRACE(formatShape(shape));
    TensorMap inputs = imageInput(shape, 3);
    EXPECT_TRUE(closeTensors(a.predict(inputs).at("out"),
                             b.predict(inputs).at("out"), 1e-5));
  }
}

TEST(Session, PredictIsRepeatable) {
  LOAD_OR_RETURN(model, "fcn.mlc");
  Session session(model, {1, Backend::Fast});
  TensorMap in64 = imageInput(kShape64, 5), in96 = imageInput(kShape96, 6);
  TensorMap first = session.predict(in64);
  session.predict(in96);
  TensorMap again = session.predict(in64);
  EXPECT_TRUE(bytesEqual(first.at("out"), again.at("out")));
}

void checkBatchEqualsPredicts(const std::string &file,
                              const std::vector<int64_t> &shape) {
  SCOPED_TRACE(file + " at " + formatShape(shape));
  LOAD_OR_RETURN(model, file);
  ASSERT_TRUE(model->batchable());
  for (Backend backend : {Backend::Reference, Backend::Fast}) {
    SCOPED_TRACE(backend == Backend::Fast ? "Fast" : "Reference");
    // Plans made on first use, to count them.
    Session session(model, {1, backend, {}, /*prepare=*/false});
    std::vector<TensorMap> batch;
    for (uint32_t i = 0; i < 3; ++i)
      batch.push_back(imageInput(shape, 100 + i));
    std::vector<TensorMap> singles;
    for (const TensorMap &item : batch)
      singles.push_back(session.predict(item));
    EXPECT_EQ(session.planCount(), 1u);
    std::vector<TensorMap> results = session.predictBatch(batch);
    // One pass with batch dim 3: a second plan, for N = 3.
    EXPECT_EQ(session.planCount(), 2u) << "predictBatch did not run batched";
    ASSERT_EQ(results.size(), 3u);
    for (size_t i = 0; i < 3; ++i) {
      SCOPED_TRACE("item " + std::to_string(i));
      ASSERT_EQ(results[i].size(), singles[i].size());
      for (const auto &[name, tensor] : singles[i]) {
        ASSERT_EQ(results[i].count(name), 1u) << name;
        EXPECT_TRUE(closeTensors(tensor, results[i].at(name), 1e-5)) << name;
      }
    }
    // The batch's plan is cached.
    session.predictBatch(batch);
    EXPECT_EQ(session.planCount(), 2u);
  }
}

TEST(Session, PredictBatchOfThreeEqualsThreePredicts) {
  checkBatchEqualsPredicts("resnet.mlc", kShape64);
  checkBatchEqualsPredicts("fcn.mlc", kShape96);
}

// A batch whose every op runs item by item (SessionOptions::itemByItemBytes
// at one byte), untuned and tuned (tuning times item by item against the
// whole batch at once and may keep either): the items' results are theirs
// alone.
TEST(Session, PredictBatchItemByItemEqualsPredicts) {
  for (const char *file : {"resnet.mlc", "fcn.mlc"}) {
    SCOPED_TRACE(file);
    LOAD_OR_RETURN(model, file);
    for (bool tune : {false, true}) {
      SessionOptions options{2, Backend::Fast};
      options.itemByItemBytes = 1;
      options.tune = tune;
      Session session(model, options);
      std::vector<TensorMap> batch;
      for (uint32_t i = 0; i < 4; ++i)
        batch.push_back(imageInput(kShape64, 200 + i));
      std::vector<TensorMap> results = session.predictBatch(batch);
      ASSERT_EQ(results.size(), batch.size());
      for (size_t i = 0; i < batch.size(); ++i) {
        TensorMap single = session.predict(batch[i]);
        for (const auto &[name, tensor] : single)
          EXPECT_TRUE(closeTensors(tensor, results[i].at(name), 1e-5))
              << name << " of item " << i;
      }
      // A NaN in one item: the reference kernels run the batch, item by
      // item too, and only that item's results hold NaNs.
      batch[2]["image"].data<float>()[100] = NAN;
      results = session.predictBatch(batch);
      for (size_t i = 0; i < batch.size(); ++i)
        for (const auto &[name, tensor] : results[i])
          EXPECT_EQ(countNonFinite(tensor) > 0, i == 2)
              << name << " of item " << i;
    }
  }
}

// Chains of Convs on bands of rows (the inverted residual blocks) give what
// the same Convs give op by op, and what the reference kernels give, for
// one image and for a batch, whose first ops run item by item.
TEST(Session, ConvChainsAgreeWithOpByOp) {
  LOAD_OR_RETURN(model, "mobilenet.mlc");
  const std::vector<int64_t> shape = {1, 3, 96, 96};
  std::vector<TensorMap> batch;
  for (uint32_t i = 0; i < 3; ++i)
    batch.push_back(imageInput(shape, 300 + i));
  Session reference(model, {1, Backend::Reference});
  for (int threads : {1, 2}) {
    SessionOptions chained{threads, Backend::Fast}, apart = chained;
    chained.convChains = ConvChains::Always;
    chained.profile = true;
    chained.itemByItemBytes = 1;
    apart.convChains = ConvChains::Never;
    apart.itemByItemBytes = 1;
    Session withChains(model, chained), withoutChains(model, apart);
    std::vector<TensorMap> results = withChains.predictBatch(batch),
                           apartResults = withoutChains.predictBatch(batch);
    for (size_t i = 0; i < batch.size(); ++i) {
      TensorMap single = withChains.predict(batch[i]),
                singleApart = withoutChains.predict(batch[i]),
                want = reference.predict(batch[i]);
      for (const auto &[name, tensor] : want) {
        EXPECT_TRUE(closeTensors(singleApart.at(name), single.at(name), 1e-5))
            << name << " of item " << i << ", " << threads << " threads";
        EXPECT_TRUE(closeTensors(apartResults[i].at(name),
                                 results[i].at(name), 1e-5))
            << name << " of batch item " << i;
        EXPECT_TRUE(closeTensors(tensor, single.at(name), 1e-4))
            << name << " of item " << i << " against the reference";
      }
    }
    size_t chains = 0;
    for (const OpProfile &op : withChains.profile())
      chains += op.kernel.rfind("chain of ", 0) == 0;
    EXPECT_GT(chains, 0u) << "no Conv chain ran";
  }
}

// A batch of at least `threads` items runs as a part per thread, each on
// its own lane's plans (SessionOptions::splitBatches): parts of equal and of
// unequal sizes, of one item, of mixed shapes (item by item), with Conv
// chains, and a NaN in one part's item give what single predictions give.
TEST(Session, SplitBatchEqualsPredicts) {
  struct Case {
    const char *file;
    std::vector<std::vector<int64_t>> shapes;
  };
  for (const Case &c :
       {Case{"resnet.mlc", {kShape64, kShape64, kShape64, kShape64}},
        Case{"resnet.mlc", {kShape64, kShape64, kShape64, kShape64, kShape64}},
        Case{"mobilenet.mlc", {{1, 3, 96, 96}, {1, 3, 96, 96}}},
        Case{"fcn.mlc", {kShape64, kShape96, kShape96, kShape64}}}) {
    SCOPED_TRACE(std::string(c.file) + ", " + std::to_string(c.shapes.size()) +
                 " items");
    LOAD_OR_RETURN(model, c.file);
    std::vector<TensorMap> batch;
    for (size_t i = 0; i < c.shapes.size(); ++i)
      batch.push_back(imageInput(c.shapes[i], 400 + i));
    SessionOptions split{2, Backend::Fast}, whole = split;
    split.convChains = ConvChains::Always;
    whole.splitBatches = false;
    Session splitting(model, split), single(model, whole);
    size_t plans = splitting.planCount();
    std::vector<TensorMap> results;
    for (int round = 0; round < 2; ++round) {
      splitting.predictBatch(batch, results);
      ASSERT_EQ(results.size(), batch.size());
      for (size_t i = 0; i < batch.size(); ++i) {
        TensorMap want = single.predict(batch[i]);
        for (const auto &[name, tensor] : want)
          EXPECT_TRUE(closeTensors(tensor, results[i].at(name), 1e-5))
              << name << " of item " << i << ", round " << round;
      }
    }
    // The parts' lanes made plans of their own (the batch was split), once.
    EXPECT_GT(splitting.planCount(), plans);
    std::vector<TensorMap> wholeResults = single.predictBatch(batch);
    for (size_t i = 0; i < batch.size(); ++i)
      for (const auto &[name, tensor] : wholeResults[i])
        EXPECT_TRUE(closeTensors(tensor, results[i].at(name), 1e-5))
            << name << " of item " << i << " against the whole batch";
    // A NaN in the last item: only its results hold NaNs.
    batch.back()["image"].data<float>()[7] = NAN;
    splitting.predictBatch(batch, results);
    for (size_t i = 0; i < batch.size(); ++i)
      for (const auto &[name, tensor] : results[i])
        EXPECT_EQ(countNonFinite(tensor) > 0, i + 1 == batch.size())
            << name << " of item " << i;
  }
}

// SessionOptions::batchSizes: the plans a batch of each size runs (its
// parts' when it is split, one pass or item by item) are made with the
// session, so its first prediction makes none.
TEST(Session, BatchSizesAreMadeReadyWithTheSession) {
  for (const char *file : {"resnet.mlc", "fcn.mlc"}) {
    LOAD_OR_RETURN(model, file);
    for (int threads : {1, 2}) {
      SCOPED_TRACE(std::string(file) + ", " + std::to_string(threads) +
                   " threads");
      SessionOptions options{threads, Backend::Fast};
      Session plain(model, options);
      options.batchSizes = {3, 5};
      Session ready(model, options);
      EXPECT_GT(ready.planCount(), plain.planCount());
      size_t plans = ready.planCount();
      for (int64_t items : options.batchSizes) {
        std::vector<TensorMap> batch = imageBatch(kShape64, items, 600);
        expectItemsPredicted(plain, batch, ready.predictBatch(batch));
      }
      EXPECT_EQ(ready.planCount(), plans) << "a batch made a plan";
    }
  }
  LOAD_OR_RETURN(model, "resnet.mlc");
  SessionOptions zero;
  zero.batchSizes = {0};
  EXPECT_NE(errorOf([&] { Session(model, zero); }).find("batch sizes"),
            std::string::npos);
}

// A batch of a size the session was not told of, after one it was: it takes
// that batch's choices, and agrees with the items predicted alone.
TEST(Session, NewBatchSizesTakeATunedBatchsChoices) {
  LOAD_OR_RETURN(model, "mobilenet.mlc");
  for (int threads : {1, 2}) {
    SCOPED_TRACE(std::to_string(threads) + " threads");
    SessionOptions options{threads, Backend::Fast};
    options.batchSizes = {4};
    Session session(model, options);
    for (int64_t items : {3, 6, 2}) {
      std::vector<TensorMap> batch = imageBatch(kShape96, items, 700);
      std::vector<TensorMap> results = session.predictBatch(batch);
      expectItemsPredicted(session, batch, results);
    }
  }
}

// Sessions on threads of their own, each splitting its batches: a split
// batch called from a parallel region runs its parts on the calling thread,
// and sessions running at once share no oneDNN stream or scratchpad.
TEST(Session, SplitBatchesFromParallelThreads) {
  LOAD_OR_RETURN(model, "resnet.mlc");
  std::vector<TensorMap> batch;
  for (uint32_t i = 0; i < 4; ++i)
    batch.push_back(imageInput(kShape64, 500 + i));
  std::vector<TensorMap> want = Session(model, {1}).predictBatch(batch);
  std::vector<std::vector<TensorMap>> got(2);
#pragma omp parallel for num_threads(2)
  for (int t = 0; t < 2; ++t) {
    Session session(model, {2, Backend::Fast});
    for (int run = 0; run < 3; ++run)
      session.predictBatch(batch, got[t]);
  }
  for (int t = 0; t < 2; ++t)
    for (size_t i = 0; i < batch.size(); ++i)
      for (const auto &[name, tensor] : want[i])
        EXPECT_TRUE(closeTensors(tensor, got[t][i].at(name), 1e-5))
            << name << " of item " << i << " on thread " << t;
}

TEST(Session, PredictBatchOfMixedShapesRunsOneByOne) {
  LOAD_OR_RETURN(model, "fcn.mlc");
  Session session(model, {1, Backend::Reference});
  std::vector<TensorMap> batch = {imageInput(kShape64, 1),
                                  imageInput(kShape96, 2),
                                  imageInput(kShape64, 3)};
  std::vector<TensorMap> results = session.predictBatch(batch);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(session.planCount(), 2u);
  for (size_t i = 0; i < 3; ++i)
    EXPECT_TRUE(
        bytesEqual(results[i].at("out"), session.predict(batch[i]).at("out")))
        << "item " << i;
  EXPECT_TRUE(session.predictBatch({}).empty());
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

TEST(Session, WrongInputShapeListsAllowedShapes) {
  LOAD_OR_RETURN(model, "fcn.mlc");
  Session session(model, {1, Backend::Fast, {}, /*prepare=*/false});
  for (const std::vector<int64_t> &shape :
       std::vector<std::vector<int64_t>>{{1, 3, 80, 80},
                                         {1, 3, 64, 96},
                                         {1, 3, 64},
                                         {2, 3, 64, 64},
                                         {1, 4, 64, 64}}) {
    SCOPED_TRACE(formatShape(shape));
    std::string message =
        errorOf([&] { session.predict(imageInput(shape)); });
    EXPECT_NE(message.find("image"), std::string::npos) << message;
    EXPECT_NE(message.find(formatShape(shape)), std::string::npos) << message;
    EXPECT_NE(message.find("1x3x64x64, 1x3x96x96"), std::string::npos)
        << message;
  }
  EXPECT_EQ(session.planCount(), 0u);
  // The session still works afterwards.
  EXPECT_NO_THROW(session.predict(imageInput(kShape64)));
}

TEST(Session, WrongElementType) {
  LOAD_OR_RETURN(model, "resnet.mlc");
  Session session(model, {1, Backend::Reference});
  for (ElementType type : {ElementType::i32, ElementType::f64,
                           ElementType::f16, ElementType::u8}) {
    TensorMap inputs;
    inputs.emplace("image", Tensor(type, kShape64));
    std::string message = errorOf([&] { session.predict(inputs); });
    EXPECT_NE(message.find("image"), std::string::npos) << message;
    EXPECT_NE(message.find(elementTypeName(type)), std::string::npos)
        << message;
    EXPECT_NE(message.find("f32"), std::string::npos) << message;
  }
}

TEST(Session, MissingInputIsNamed) {
  LOAD_OR_RETURN(model, "resnet.mlc");
  Session session(model, {1, Backend::Reference});
  std::string message = errorOf([&] { session.predict({}); });
  EXPECT_NE(message.find("missing"), std::string::npos) << message;
  EXPECT_NE(message.find("'image'"), std::string::npos) << message;
  EXPECT_NE(message.find("1x3x64x64"), std::string::npos) << message;
}

TEST(Session, UnknownInputIsNamed) {
  LOAD_OR_RETURN(model, "resnet.mlc");
  Session session(model, {1, Backend::Reference});
  // Alone, and beside the real input.
  for (bool withImage : {false, true}) {
    TensorMap inputs;
    if (withImage)
      inputs = imageInput(kShape64);
    inputs.emplace("bogus", patternTensor(kShape64));
    std::string message = errorOf([&] { session.predict(inputs); });
    EXPECT_NE(message.find("'bogus'"), std::string::npos) << message;
    EXPECT_NE(message.find("image"), std::string::npos) << message;
  }
  // Batches check their items the same way.
  std::vector<TensorMap> batch(2, imageInput(kShape64));
  batch[1].emplace("bogus", patternTensor(kShape64));
  EXPECT_THROW(session.predictBatch(batch), Error);
  std::vector<TensorMap> wrongShapes(3, imageInput({1, 3, 32, 32}));
  std::string message = errorOf([&] { session.predictBatch(wrongShapes); });
  EXPECT_NE(message.find("1x3x64x64"), std::string::npos) << message;
}

TEST(Session, InvalidOptions) {
  LOAD_OR_RETURN(model, "resnet.mlc");
  EXPECT_THROW(Session(model, {-1, Backend::Fast}), Error);
  EXPECT_THROW(Session(nullptr), Error);
}

//===----------------------------------------------------------------------===//
// NaN and Inf
//===----------------------------------------------------------------------===//

TEST(Session, NaNAndInfPropagate) {
  for (const char *file : {"resnet.mlc", "fcn.mlc"}) {
    LOAD_OR_RETURN(model, file);
    for (Backend backend : {Backend::Reference, Backend::Fast}) {
      Session session(model, {1, backend});
      for (float special : {NAN, INFINITY, -INFINITY}) {
        SCOPED_TRACE(std::string(file) + ", " +
                     (backend == Backend::Fast ? "Fast" : "Reference") +
                     ", input all " + std::to_string(special));
        Tensor input(ElementType::f32, kShape64);
        std::fill_n(input.data<float>(), input.elementCount(), special);
        TensorMap inputs;
        inputs.emplace("image", std::move(input));
        TensorMap outputs;
        ASSERT_NO_THROW(outputs = session.predict(inputs));
        for (const auto &[name, tensor] : outputs)
          EXPECT_GT(countNonFinite(tensor), 0u)
              << name << ": every value finite";
      }
      // One NaN among finite values: no crash, and the session still gives
      // finite results for finite inputs afterwards.
      SCOPED_TRACE(std::string(file) + ", one NaN");
      TensorMap inputs = imageInput(kShape64);
      inputs["image"].data<float>()[100] = NAN;
      inputs["image"].data<float>()[200] = INFINITY;
      ASSERT_NO_THROW(session.predict(inputs));
      TensorMap clean = session.predict(imageInput(kShape64));
      for (const auto &[name, tensor] : clean)
        EXPECT_EQ(countNonFinite(tensor), 0u) << name;
    }
  }
}

//===----------------------------------------------------------------------===//
// Plans
//===----------------------------------------------------------------------===//

TEST(Session, PlansAndArenasAreMadeOnFirstUseWithoutPrepare) {
  LOAD_OR_RETURN(model, "fcn.mlc");
  for (Backend backend : {Backend::Reference, Backend::Fast}) {
    Session session(model, {1, backend, {}, /*prepare=*/false});
    EXPECT_EQ(session.planCount(), 0u);
    EXPECT_EQ(session.arenaBytes(), 0u);
    session.predict(imageInput(kShape64));
    EXPECT_EQ(session.planCount(), 1u);
    size_t arena64 = session.arenaBytes();
    EXPECT_GT(arena64, 0u);
    session.predict(imageInput(kShape64, 2));
    EXPECT_EQ(session.planCount(), 1u);
    EXPECT_EQ(session.arenaBytes(), arena64);
    // A failed prediction makes no plan.
    EXPECT_THROW(session.predict(imageInput({1, 3, 80, 80})), Error);
    EXPECT_EQ(session.planCount(), 1u);
    session.predict(imageInput(kShape96));
    EXPECT_EQ(session.planCount(), 2u);
    size_t arena96 = session.arenaBytes() - arena64;
    EXPECT_GT(arena96, arena64);
    session.predict(imageInput(kShape64, 3));
    session.predict(imageInput(kShape96, 3));
    EXPECT_EQ(session.planCount(), 2u);
    EXPECT_EQ(session.arenaBytes(), arena64 + arena96);
  }
}

TEST(Session, PrepareMakesEveryStoredPlanUpFrontInOneArena) {
  LOAD_OR_RETURN(model, "fcn.mlc");
  for (Backend backend : {Backend::Reference, Backend::Fast}) {
    SCOPED_TRACE(backend == Backend::Fast ? "Fast" : "Reference");
    // The arena the larger shape needs alone.
    Session lazy(model, {1, backend, {}, /*prepare=*/false});
    TensorMap expected64 = lazy.predict(imageInput(kShape64, 4));
    size_t arena64 = lazy.arenaBytes();
    TensorMap expected96 = lazy.predict(imageInput(kShape96, 4));
    size_t arena96 = lazy.arenaBytes() - arena64;

    Session session(model, {1, backend});
    EXPECT_EQ(session.planCount(), 2u);
    // Both shapes share the larger one's arena.
    EXPECT_EQ(session.arenaBytes(), std::max(arena64, arena96));
    TensorMap out96 = session.predict(imageInput(kShape96, 4));
    TensorMap out64 = session.predict(imageInput(kShape64, 4));
    // Each session tunes its own kernels: the same algorithms or not.
    EXPECT_TRUE(closeTensors(expected64.at("out"), out64.at("out"), 1e-5));
    EXPECT_TRUE(closeTensors(expected96.at("out"), out96.at("out"), 1e-5));
    EXPECT_EQ(session.planCount(), 2u);
    EXPECT_EQ(session.arenaBytes(), std::max(arena64, arena96));
  }
}

TEST(Session, PredictIntoReusedOutputs) {
  LOAD_OR_RETURN(model, "fcn.mlc");
  Session session(model, {1, Backend::Fast});
  TensorMap outputs;
  session.predict(imageInput(kShape64, 7), outputs);
  ASSERT_EQ(outputs.count("out"), 1u);
  const void *bytes = outputs.at("out").data();
  TensorMap expected = session.predict(imageInput(kShape64, 8));
  session.predict(imageInput(kShape64, 8), outputs);
  EXPECT_EQ(outputs.at("out").data(), bytes) << "the output was not reused";
  EXPECT_TRUE(bytesEqual(outputs.at("out"), expected.at("out")));
  // Another shape: a new tensor of that shape.
  session.predict(imageInput(kShape96, 8), outputs);
  EXPECT_EQ(outputs.at("out").shape(), (std::vector<int64_t>{1, 5, 96, 96}));
}

TEST(Session, RangedModelPlansEachNewSizeOnce) {
  LOAD_OR_RETURN(model, "fcn_unplanned.mlc");
  ASSERT_EQ(model->inputs().size(), 1u);
  const ShapeSet &set = model->inputs()[0].shapes;
  EXPECT_TRUE(set.ranged);
  ASSERT_EQ(set.ranges.size(), 4u);
  EXPECT_EQ(set.ranges[2].min, 64);
  EXPECT_EQ(set.ranges[2].max, 96);
  EXPECT_EQ(set.ranges[2].step, 16);
  EXPECT_EQ(set.describe(), "1x3x[64..96 step 16]x[64..96 step 16]");
  EXPECT_TRUE(set.contains({1, 3, 80, 64}));
  EXPECT_FALSE(set.contains({1, 3, 72, 64}));
  EXPECT_FALSE(set.contains({1, 3, 112, 64}));
  EXPECT_FALSE(set.contains({1, 3, 48, 64}));

  Session session(model, {1, Backend::Fast});
  EXPECT_EQ(session.planCount(), 0u);
  size_t plans = 0, arena = 0;
  for (const std::vector<int64_t> &shape : std::vector<std::vector<int64_t>>{
           {1, 3, 80, 80}, {1, 3, 64, 96}, {1, 3, 96, 64}, kShape96}) {
    SCOPED_TRACE(formatShape(shape));
    TensorMap out = session.predict(imageInput(shape));
    EXPECT_EQ(out.at("out").shape(),
              (std::vector<int64_t>{1, 21, shape[2], shape[3]}));
    EXPECT_EQ(session.planCount(), ++plans) << "a new size is planned";
    EXPECT_GE(session.arenaBytes(), arena);
    arena = session.arenaBytes();
    // Seen again: the cached plan.
    TensorMap again = session.predict(imageInput(shape));
    EXPECT_TRUE(bytesEqual(out.at("out"), again.at("out")));
    EXPECT_EQ(session.planCount(), plans);
    EXPECT_EQ(session.arenaBytes(), arena);
  }
  for (const std::vector<int64_t> &shape : std::vector<std::vector<int64_t>>{
           {1, 3, 72, 80}, {1, 3, 112, 64}, {1, 3, 48, 48}}) {
    std::string message = errorOf([&] { session.predict(imageInput(shape)); });
    EXPECT_NE(message.find("[64..96 step 16]"), std::string::npos) << message;
  }
  EXPECT_EQ(session.planCount(), plans);
}

// Sizes met at predictions share the largest arena made so far, and take
// the first tuned size's choices: they agree with the reference kernels.
TEST(Session, RangedModelSizesShareAnArenaAndTheirChoices) {
  LOAD_OR_RETURN(model, "fcn_unplanned.mlc");
  Session reference(model, {1, Backend::Reference});
  const std::vector<std::vector<int64_t>> smaller = {
      {1, 3, 64, 64}, {1, 3, 80, 96}, {1, 3, 96, 64}, {1, 3, 80, 80}};
  for (int threads : {1, 2}) {
    SCOPED_TRACE(std::to_string(threads) + " threads");
    Session session(model, {threads, Backend::Fast});
    session.predict(imageInput(kShape96, 9));
    size_t arena = session.arenaBytes();
    for (const std::vector<int64_t> &shape : smaller) {
      SCOPED_TRACE(formatShape(shape));
      TensorMap out = session.predict(imageInput(shape, 9));
      EXPECT_TRUE(
          closeTensors(reference.predict(imageInput(shape, 9)).at("out"),
                       out.at("out"), 1e-5));
      EXPECT_EQ(session.arenaBytes(), arena) << "a smaller size made an arena";
    }
    EXPECT_EQ(session.planCount(), 1 + smaller.size());
  }
}

// A range merged from exports is planned at their sizes: a session makes
// those ready, and another size is planned at its first prediction.
TEST(Session, RangedMergeIsReadyAtItsExportsSizes) {
  LOAD_OR_RETURN(model, "fcn_ranged.mlc");
  Session reference(model, {1, Backend::Reference});
  Session session(model, {1, Backend::Fast});
  EXPECT_EQ(session.planCount(), 2u);
  for (const std::vector<int64_t> &shape :
       {kShape96, kShape64, std::vector<int64_t>{1, 3, 80, 80}}) {
    SCOPED_TRACE(formatShape(shape));
    TensorMap out = session.predict(imageInput(shape, 13));
    EXPECT_TRUE(closeTensors(reference.predict(imageInput(shape, 13)).at("out"),
                             out.at("out"), 1e-5));
  }
  EXPECT_EQ(session.planCount(), 3u) << "only 80x80 was planned";
}

// SessionOptions::shapes: a ranged model's sizes made ready (and their
// batches) with the session; a size it does not take is refused then.
TEST(Session, ShapesAreMadeReadyWithTheSession) {
  LOAD_OR_RETURN(model, "fcn_unplanned.mlc");
  Session reference(model, {1, Backend::Reference});
  SessionOptions options{1, Backend::Fast};
  options.shapes = {{{"image", {1, 3, 80, 96}}}, {{"image", kShape64}}};
  options.batchSizes = {2};
  Session session(model, options);
  size_t plans = session.planCount();
  EXPECT_GE(plans, 2u);
  for (const std::vector<int64_t> &shape :
       {std::vector<int64_t>{1, 3, 80, 96}, kShape64}) {
    TensorMap out = session.predict(imageInput(shape, 11));
    EXPECT_TRUE(closeTensors(reference.predict(imageInput(shape, 11)).at("out"),
                             out.at("out"), 1e-5));
    session.predictBatch({imageInput(shape, 11), imageInput(shape, 12)});
  }
  EXPECT_EQ(session.planCount(), plans) << "a prediction made a plan";

  options.shapes = {{{"image", {1, 3, 72, 64}}}};
  std::string message = errorOf([&] { Session(model, options); });
  EXPECT_NE(
      message.find("a shape to prepare: input 'image' has shape 1x3x72x64"),
      std::string::npos)
      << message;
  options.shapes = {{{"picture", kShape64}}};
  message = errorOf([&] { Session(model, options); });
  EXPECT_NE(message.find("no input named 'picture'"), std::string::npos)
      << message;
}

// Beyond SessionOptions::plansKept, the least recently used plan made at a
// prediction goes; a size met again is planned again, and agrees.
TEST(Session, RangedModelKeepsTheMostRecentPlans) {
  LOAD_OR_RETURN(model, "fcn_unplanned.mlc");
  Session reference(model, {1, Backend::Reference});
  const std::vector<std::vector<int64_t>> sizes = {
      {1, 3, 64, 64}, {1, 3, 80, 80}, {1, 3, 96, 96}, {1, 3, 64, 96},
      {1, 3, 80, 80}, {1, 3, 96, 64}, {1, 3, 96, 96}, {1, 3, 64, 64}};
  for (bool tune : {true, false}) {
    SCOPED_TRACE(tune ? "tuned" : "untuned");
    SessionOptions options{1, Backend::Fast};
    options.tune = tune;
    options.plansKept = 2;
    Session session(model, options);
    for (const std::vector<int64_t> &shape : sizes) {
      SCOPED_TRACE(formatShape(shape));
      TensorMap out = session.predict(imageInput(shape, 10));
      EXPECT_TRUE(
          closeTensors(reference.predict(imageInput(shape, 10)).at("out"),
                       out.at("out"), 1e-5));
      // The first size's plan, tuned, stays besides the two kept.
      EXPECT_LE(session.planCount(), options.plansKept + (tune ? 1 : 0));
    }
    EXPECT_EQ(session.planCount(), options.plansKept + (tune ? 1 : 0));
  }
}

// A batch of items of several sizes plans one pass per item: a plan its
// earlier items are to run is not dropped for a later item's, however few
// plans are kept.
TEST(Session, BatchOfManySizesKeepsThePlansItRuns) {
  LOAD_OR_RETURN(model, "fcn_unplanned.mlc");
  Session reference(model, {1, Backend::Reference});
  const std::vector<std::vector<int64_t>> sizes = {{1, 3, 64, 64},
                                                   {1, 3, 80, 80},
                                                   {1, 3, 96, 64},
                                                   {1, 3, 64, 96},
                                                   {1, 3, 96, 96}};
  std::vector<TensorMap> batch;
  for (size_t i = 0; i < sizes.size(); ++i)
    batch.push_back(imageInput(sizes[i], 800 + i));
  for (int threads : {1, 2}) {
    SCOPED_TRACE(std::to_string(threads) + " threads");
    SessionOptions options{threads, Backend::Fast};
    options.plansKept = 1;
    Session session(model, options);
    for (int round = 0; round < 2; ++round) {
      std::vector<TensorMap> results = session.predictBatch(batch);
      for (size_t i = 0; i < sizes.size(); ++i)
        EXPECT_TRUE(closeTensors(reference.predict(batch[i]).at("out"),
                                 results[i].at("out"), 1e-5))
            << "item " << i << ", round " << round;
    }
  }
}

//===----------------------------------------------------------------------===//
// Npy
//===----------------------------------------------------------------------===//

class Npy : public ::testing::Test {
protected:
  std::string path(const std::string &name) {
    std::string p = ::testing::TempDir() + "mlc_npy_" +
                    std::to_string(::getpid()) + "_" + name + ".npy";
    files.push_back(p);
    return p;
  }
  void TearDown() override {
    for (const std::string &p : files)
      std::remove(p.c_str());
  }
  std::vector<std::string> files;
};

TEST_F(Npy, RoundTrip) {
  std::vector<Tensor> tensors;
  tensors.push_back(patternTensor({2, 3, 5}, 9));
  tensors.push_back(patternTensor({7}, 10));
  tensors.push_back(patternTensor({1, 3, 64, 64}, 11));
  Tensor ints(ElementType::i64, {4, 2});
  for (int64_t i = 0; i < 8; ++i)
    ints.data<int64_t>()[i] = (i - 3) * 1000000007LL;
  tensors.push_back(std::move(ints));
  Tensor bytes(ElementType::u8, {3, 3});
  for (int i = 0; i < 9; ++i)
    bytes.data<uint8_t>()[i] = uint8_t(i * 31);
  tensors.push_back(std::move(bytes));
  Tensor special(ElementType::f32, {4});
  special.data<float>()[0] = NAN;
  special.data<float>()[1] = INFINITY;
  special.data<float>()[2] = -0.0f;
  special.data<float>()[3] = 1e-40f;
  tensors.push_back(std::move(special));
  tensors.push_back(Tensor(ElementType::f64, {2, 0, 3}));
  for (size_t i = 0; i < tensors.size(); ++i) {
    SCOPED_TRACE("tensor " + std::to_string(i) + " " +
                 formatShape(tensors[i].shape()));
    std::string file = path(std::to_string(i));
    writeNpy(file, tensors[i]);
    Tensor back = readNpy(file);
    EXPECT_TRUE(bytesEqual(tensors[i], back));
  }
}

TEST_F(Npy, PredictionOutputRoundTrips) {
  LOAD_OR_RETURN(model, "resnet.mlc");
  Session session(model, {1, Backend::Reference});
  std::string in = path("in"), out = path("out");
  writeNpy(in, patternTensor(kShape64, 4));
  TensorMap inputs;
  inputs.emplace("image", readNpy(in));
  Tensor logits = session.predict(inputs).at("logits");
  writeNpy(out, logits);
  EXPECT_TRUE(bytesEqual(readNpy(out), logits));
}

TEST_F(Npy, ErrorsNameTheFile) {
  std::string missing = ::testing::TempDir() + "mlc_no_such_file.npy";
  std::string message = errorOf([&] { readNpy(missing); });
  EXPECT_NE(message.find(missing), std::string::npos) << message;
  std::string garbage = path("garbage");
  {
    FILE *f = std::fopen(garbage.c_str(), "wb");
    ASSERT_TRUE(f);
    std::fputs("not a numpy file at all", f);
    std::fclose(f);
  }
  message = errorOf([&] { readNpy(garbage); });
  EXPECT_NE(message.find(garbage), std::string::npos) << message;
}

} // namespace
